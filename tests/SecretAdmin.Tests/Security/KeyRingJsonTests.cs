using SecretAdmin.Security;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Security;

public sealed class KeyRingJsonTests
{
    private const string Material = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    [Fact]
    public void Parse_SerializedRing_GivesTheSameKeys()
    {
        var ring = TestSealing.Ring(1, 2, 5);

        var parsed = KeyRingJson.Parse(KeyRingJson.Serialize(ring));

        Assert.Equal([1, 2, 5], parsed.Keys.Select(k => k.Id));
        Assert.Equal(5, parsed.Active.Id);
        Assert.All(ring.Keys, key =>
        {
            Assert.True(parsed.TryGetKey(key.Id, out var same));
            Assert.Equal(key.Material, same.Material);
        });
    }

    [Theory]
    [InlineData("", "not valid key-ring JSON")]
    [InlineData("{", "not valid key-ring JSON")]
    [InlineData("null", "empty")]
    [InlineData("""{"format":"other","activeKeyId":1,"keys":[]}""", "\"format\"")]
    [InlineData("""{"format":"secretadmin-keyring-v1","activeKeyId":1,"keys":[]}""", "holds no keys")]
    [InlineData("""{"format":"secretadmin-keyring-v1","activeKeyId":2,"keys":[{"id":1,"createdUtc":"2026-01-01T00:00:00Z","material":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="}]}""", "active key id 2")]
    [InlineData("""{"format":"secretadmin-keyring-v1","activeKeyId":1,"keys":[{"id":1,"createdUtc":"2026-01-01T00:00:00Z","material":"AAEC"}]}""", "key 1 is not 32 bytes")]
    [InlineData("""{"format":"secretadmin-keyring-v1","activeKeyId":1,"keys":[{"id":1,"createdUtc":"2026-01-01T00:00:00Z","material":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="},{"id":1,"createdUtc":"2026-01-01T00:00:00Z","material":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="}]}""", "more than once")]
    [InlineData("""{"format":"secretadmin-keyring-v1","activeKeyId":0,"keys":[{"id":0,"createdUtc":"2026-01-01T00:00:00Z","material":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="}]}""", "not a positive number")]
    [InlineData("""{"format":"secretadmin-keyring-v1","activeKeyId":1,"extra":true,"keys":[]}""", "not valid key-ring JSON")]
    public void Parse_InvalidRing_SaysWhyWithoutKeyMaterial(string json, string expected)
    {
        var error = Assert.Throws<KeyRingFormatException>(() => KeyRingJson.Parse(json));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Material, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("AAEC", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_JsonBrokenInsideKeyMaterial_DoesNotQuoteIt()
    {
        var json = $$"""{"format":"secretadmin-keyring-v1","activeKeyId":1,"keys":[{"id":1,"material":"{{Material}}" oops}]}""";

        var error = Assert.Throws<KeyRingFormatException>(() => KeyRingJson.Parse(json));

        Assert.DoesNotContain("AAEC", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("oops", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_OfRingAndKeys_NeverShowsMaterial()
    {
        var ring = KeyRingJson.Parse($$"""{"format":"secretadmin-keyring-v1","activeKeyId":1,"keys":[{"id":1,"createdUtc":"2026-01-01T00:00:00Z","material":"{{Material}}"}]}""");

        Assert.DoesNotContain("AAEC", ring.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("AAEC", ring.Active.ToString(), StringComparison.Ordinal);
    }
}
