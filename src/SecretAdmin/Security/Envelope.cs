using System.Buffers.Text;
using System.Globalization;

namespace SecretAdmin.Security;

/// <summary>
/// The stored form of a sealed value: <c>sa1:&lt;keyId&gt;:&lt;base64url(nonce ‖ ciphertext ‖ tag)&gt;</c>,
/// AES-256-GCM with a 12-byte random nonce and a 16-byte tag.
/// </summary>
public static class Envelope
{
    public const string Prefix = "sa1:";
    public const int NonceSize = 12;
    public const int TagSize = 16;

    public static bool HasPrefix(string stored) => stored.StartsWith(Prefix, StringComparison.Ordinal);

    internal static string Format(int keyId, ReadOnlySpan<byte> payload) =>
        string.Concat(Prefix, keyId.ToString(CultureInfo.InvariantCulture), ":", Base64Url.EncodeToString(payload));

    /// <summary>Splits an envelope into its key id and its decoded payload; false when it is not well formed.</summary>
    internal static bool TryParse(string stored, out int keyId, out byte[] payload)
    {
        payload = [];
        keyId = 0;
        if (!HasPrefix(stored))
        {
            return false;
        }

        var rest = stored.AsSpan(Prefix.Length);
        var colon = rest.IndexOf(':');
        if (colon <= 0
            || !int.TryParse(rest[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out keyId))
        {
            return false;
        }

        var text = rest[(colon + 1)..];
        if (!Base64Url.IsValid(text, out var length) || length < NonceSize + TagSize)
        {
            return false;
        }

        payload = new byte[length];
        if (Base64Url.DecodeFromChars(text, payload, out _, out var written) != System.Buffers.OperationStatus.Done
            || written != length)
        {
            return false;
        }

        // Only the canonical encoding is accepted, so no two texts stand for one envelope.
        return IsCanonical(text, payload);
    }

    private static bool IsCanonical(ReadOnlySpan<char> text, ReadOnlySpan<byte> payload)
    {
        var encodedLength = Base64Url.GetEncodedLength(payload.Length);
        if (encodedLength != text.Length)
        {
            return false;
        }

        Span<char> canonical = encodedLength <= 512 ? stackalloc char[encodedLength] : new char[encodedLength];
        Base64Url.EncodeToChars(payload, canonical);
        return canonical.SequenceEqual(text);
    }
}
