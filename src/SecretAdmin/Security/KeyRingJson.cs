using System.Text.Json;
using System.Text.Json.Serialization;

namespace SecretAdmin.Security;

/// <summary>
/// The key ring's JSON form, the same in the key-ring file and in the environment variable:
/// <c>{"format":"secretadmin-keyring-v1","activeKeyId":1,"keys":[{"id":1,"createdUtc":"…","material":"&lt;base64 of 32 bytes&gt;"}]}</c>.
/// </summary>
public static class KeyRingJson
{
    public const string Format = "secretadmin-keyring-v1";

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public static string Serialize(KeyRing ring) => JsonSerializer.Serialize(
        new KeyRingDocument(
            Format,
            ring.Active.Id,
            ring.Keys.Select(k => new KeyDocument(k.Id, k.CreatedUtc, Convert.ToBase64String(k.Material))).ToArray()),
        Options);

    /// <exception cref="KeyRingFormatException">The text is not a valid key ring; the message says why.</exception>
    public static KeyRing Parse(string json)
    {
        KeyRingDocument? document;
        try
        {
            document = JsonSerializer.Deserialize<KeyRingDocument>(json, Options);
        }
        catch (JsonException e)
        {
            // JsonException's own message may quote the text, which holds key material.
            throw new KeyRingFormatException($"it is not valid key-ring JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})");
        }

        if (document is null)
        {
            throw new KeyRingFormatException("it is empty");
        }

        if (document.Format != Format)
        {
            throw new KeyRingFormatException($"its \"format\" is not \"{Format}\"");
        }

        if (document.Keys is not { Length: > 0 })
        {
            throw new KeyRingFormatException("it holds no keys");
        }

        var keys = document.Keys.Select(ParseKey).ToArray();
        return new KeyRing(keys, document.ActiveKeyId);
    }

    private static SealingKey ParseKey(KeyDocument key)
    {
        if (key.Id < 1)
        {
            throw new KeyRingFormatException($"key id {key.Id} is not a positive number");
        }

        var material = new byte[SealingKey.SizeInBytes];
        if (key.Material is null
            || !Convert.TryFromBase64String(key.Material, material, out var length)
            || length != SealingKey.SizeInBytes)
        {
            throw new KeyRingFormatException($"key {key.Id} is not {SealingKey.SizeInBytes} bytes of base64");
        }

        return new SealingKey(key.Id, key.CreatedUtc, material);
    }

    private sealed record KeyRingDocument(string? Format, int ActiveKeyId, KeyDocument[]? Keys);

    private sealed record KeyDocument(int Id, DateTimeOffset CreatedUtc, string? Material);
}
