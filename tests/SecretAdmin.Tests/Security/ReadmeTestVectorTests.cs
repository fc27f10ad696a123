using System.Text.RegularExpressions;
using SecretAdmin.Security;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Security;

/// <summary>The envelope test vector printed in README.md opens, and sealing with its nonce gives it back.</summary>
public sealed partial class ReadmeTestVectorTests
{
    [Fact]
    public void Open_ReadmeVector_GivesItsPlaintext()
    {
        var vector = ReadVector();
        using var sealer = TestSealing.Sealer(new KeyRing([new SealingKey(vector.KeyId, DateTimeOffset.UnixEpoch, vector.Key)], vector.KeyId));

        var read = sealer.Open(vector.Envelope, vector.Place);

        Assert.Equal(vector.Plaintext, Assert.IsType<SecretRead.PresentSecret>(read).Value);
    }

    [Fact]
    public void Seal_ReadmeVectorNonce_GivesTheDocumentedEnvelope()
    {
        var vector = ReadVector();
        using var sealer = TestSealing.Sealer(new KeyRing([new SealingKey(vector.KeyId, DateTimeOffset.UnixEpoch, vector.Key)], vector.KeyId));

        var envelope = sealer.Seal(vector.Plaintext, vector.Place, vector.Nonce);

        Assert.Equal(vector.Envelope, envelope);
    }

    private static Vector ReadVector()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "README.md"));
        string Field(string name) => Regex.Match(readme, $@"^{Regex.Escape(name)}:[ \t]+(?<value>.*?)[ \t]*$", RegexOptions.Multiline) is { Success: true } m
            ? m.Groups["value"].Value
            : throw new Xunit.Sdk.XunitException($"README.md has no test-vector line '{name}:'");

        var associatedData = Field("associated data").Split(':');
        Assert.Equal("secretadmin", associatedData[0]);
        return new Vector(
            Convert.FromHexString(Field("key (hex)")),
            int.Parse(Field("key id"), System.Globalization.CultureInfo.InvariantCulture),
            new SealedPlace(associatedData[1], associatedData[2], associatedData[3]),
            Convert.FromHexString(Field("nonce (hex)")),
            Field("plaintext (UTF-8)"),
            Field("envelope"));
    }

    private sealed record Vector(byte[] Key, int KeyId, SealedPlace Place, byte[] Nonce, string Plaintext, string Envelope);
}
