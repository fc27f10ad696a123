using System.Text.RegularExpressions;
using SecretAdmin.Features.Smtp;
using SecretAdmin.Security;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Security;

/// <summary>Each envelope test vector printed in README.md opens, and sealing with its nonce gives it back.</summary>
public sealed class ReadmeTestVectorTests
{
    public static TheoryData<int> Vectors => [.. Enumerable.Range(0, ReadVectors().Count)];

    [Fact]
    public void Readme_TestVectors_OneBoundToItsRowAndOneToItsDestination()
    {
        var vectors = ReadVectors();

        Assert.Equal(2, vectors.Count);
        Assert.Null(vectors[0].Place.Destination);
        Assert.Equal(SmtpServer.DestinationOf("SMTP.example.com.", 587, SmtpSecurity.StartTls, "alerts@example.com"), vectors[1].Place.Destination);
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Open_ReadmeVector_GivesItsPlaintext(int index)
    {
        var vector = ReadVectors()[index];
        using var sealer = TestSealing.Sealer(new KeyRing([new SealingKey(vector.KeyId, DateTimeOffset.UnixEpoch, vector.Key)], vector.KeyId));

        var read = sealer.Open(vector.Envelope, vector.Place);

        Assert.Equal(vector.Plaintext, Assert.IsType<SecretRead.PresentSecret>(read).Value);
        Assert.Equal(vector.AssociatedData, vector.Place.AssociatedData);
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Seal_ReadmeVectorNonce_GivesTheDocumentedEnvelope(int index)
    {
        var vector = ReadVectors()[index];
        using var sealer = TestSealing.Sealer(new KeyRing([new SealingKey(vector.KeyId, DateTimeOffset.UnixEpoch, vector.Key)], vector.KeyId));

        var envelope = sealer.Seal(vector.Plaintext, vector.Place, vector.Nonce);

        Assert.Equal(vector.Envelope, envelope);
    }

    [Fact]
    public void Open_DestinationBoundVectorForAnotherPort_DoesNotAuthenticate()
    {
        var vector = ReadVectors()[1];
        using var sealer = TestSealing.Sealer(new KeyRing([new SealingKey(vector.KeyId, DateTimeOffset.UnixEpoch, vector.Key)], vector.KeyId));
        var elsewhere = vector.Place.BoundTo(SmtpServer.DestinationOf("smtp.example.com", 2525, SmtpSecurity.StartTls, "alerts@example.com"));

        var read = sealer.Open(vector.Envelope, elsewhere);

        Assert.Equal(UnreadableReason.AuthenticationFailed, Assert.IsType<SecretRead.UnreadableSecret>(read).Reason);
    }

    /// <summary>Every fenced block of README.md that holds a "key (hex):" line, in order.</summary>
    private static List<Vector> ReadVectors()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "README.md"));
        var vectors = new List<Vector>();
        foreach (var text in FencedBlocks(readme))
        {
            if (!text.Contains("key (hex):", StringComparison.Ordinal))
            {
                continue;
            }

            string Field(string name) => Regex.Match(text, $@"^{Regex.Escape(name)}:[ \t]+(?<value>.*?)[ \t]*$", RegexOptions.Multiline) is { Success: true } m
                ? m.Groups["value"].Value
                : throw new Xunit.Sdk.XunitException($"A README.md test vector has no line '{name}:'");

            var associatedData = Field("associated data");
            var parts = associatedData.Split(':', 5);
            Assert.Equal("secretadmin", parts[0]);
            vectors.Add(new Vector(
                Convert.FromHexString(Field("key (hex)")),
                int.Parse(Field("key id"), System.Globalization.CultureInfo.InvariantCulture),
                associatedData,
                new SealedPlace(parts[1], parts[2], parts[3], parts.Length == 5 ? parts[4] : null),
                Convert.FromHexString(Field("nonce (hex)")),
                Field("plaintext (UTF-8)"),
                Field("envelope")));
        }

        return vectors;
    }

    private static IEnumerable<string> FencedBlocks(string markdown)
    {
        List<string>? block = null;
        foreach (var line in markdown.Split('\n'))
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                if (block is not null)
                {
                    yield return string.Join('\n', block);
                    block = null;
                }
                else
                {
                    block = [];
                }
            }
            else
            {
                block?.Add(line.TrimStart());
            }
        }
    }

    private sealed record Vector(byte[] Key, int KeyId, string AssociatedData, SealedPlace Place, byte[] Nonce, string Plaintext, string Envelope);
}
