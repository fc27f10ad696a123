using System.Buffers;
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

    /// <summary>Envelopes up to this many characters are formatted in a stack buffer.</summary>
    private const int StackChars = 256;

    public static bool HasPrefix(string stored) => stored.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>
    /// Whether a stored text looks like an envelope, whole or damaged: past any leading white space,
    /// control or format characters (a byte order mark), <c>sa</c> in any case, one or more digits
    /// and a colon — <c>sa1:</c>, <c> sa1:</c>, <c>SA1:</c>, <c>sa2:</c>. Such a text is never legacy
    /// plaintext: unless it is a well-formed envelope, it is malformed.
    /// </summary>
    public static bool LooksLikeEnvelope(ReadOnlySpan<char> stored)
    {
        var start = 0;
        while (start < stored.Length && IsIgnorable(stored[start]))
        {
            start++;
        }

        var rest = stored[start..];
        if (rest.Length < 2 || rest[0] is not ('s' or 'S') || rest[1] is not ('a' or 'A'))
        {
            return false;
        }

        var digits = rest[2..].IndexOfAnyExceptInRange('0', '9');
        return digits > 0 && rest[2 + digits] == ':';

        static bool IsIgnorable(char c) =>
            char.IsWhiteSpace(c) || char.IsControl(c) || char.GetUnicodeCategory(c) == UnicodeCategory.Format;
    }

    /// <summary>The payload length of a seal of <paramref name="plaintextByteCount"/> bytes.</summary>
    internal static int PayloadLength(int plaintextByteCount) => NonceSize + plaintextByteCount + TagSize;

    internal static string Format(int keyId, ReadOnlySpan<byte> payload)
    {
        Span<char> id = stackalloc char[11];
        keyId.TryFormat(id, out var idLength, provider: CultureInfo.InvariantCulture);
        var length = Prefix.Length + idLength + 1 + Base64Url.GetEncodedLength(payload.Length);
        var chars = length <= StackChars ? stackalloc char[StackChars] : new char[length];
        Prefix.CopyTo(chars);
        id[..idLength].CopyTo(chars[Prefix.Length..]);
        chars[Prefix.Length + idLength] = ':';
        Base64Url.EncodeToChars(payload, chars[(Prefix.Length + idLength + 1)..]);
        return new string(chars[..length]);
    }

    /// <summary>
    /// Reads an envelope's key id and finds its payload text without decoding it; false when the
    /// envelope is not well formed. <see cref="TryDecodePayload"/> decodes the text.
    /// </summary>
    internal static bool TryParse(string stored, out int keyId, out ReadOnlySpan<char> payloadText, out int payloadLength)
    {
        keyId = 0;
        payloadText = default;
        payloadLength = 0;
        if (!HasPrefix(stored))
        {
            return false;
        }

        var rest = stored.AsSpan(Prefix.Length);
        var colon = rest.IndexOf(':');
        if (colon < 0 || !TryParseKeyId(rest[..colon], out keyId))
        {
            return false;
        }

        payloadText = rest[(colon + 1)..];
        return Base64Url.IsValid(payloadText, out payloadLength) && payloadLength >= NonceSize + TagSize;
    }

    /// <summary>
    /// Reads a key id written as <see cref="Format"/> writes it: ASCII digits without a leading zero
    /// (key ids start at 1), no sign, no white space, nothing else. So no two texts name one key;
    /// <see cref="int.TryParse(ReadOnlySpan{char}, NumberStyles, IFormatProvider?, out int)"/> alone
    /// would also take leading zeros and trailing NULs.
    /// </summary>
    public static bool TryParseKeyId(ReadOnlySpan<char> text, out int keyId)
    {
        keyId = 0;
        return text.Length > 0
            && text[0] != '0'
            && !text.ContainsAnyExceptInRange('0', '9')
            && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out keyId);
    }

    /// <summary>
    /// Decodes a payload text from <see cref="TryParse"/> into <paramref name="payload"/> (exactly its
    /// payload length). Only the canonical encoding is accepted, so no two texts stand for one
    /// envelope: the decoder refuses set unused bits in the last character, and the length check
    /// refuses padding and whitespace (SecretSealerTests pins all three).
    /// </summary>
    internal static bool TryDecodePayload(ReadOnlySpan<char> payloadText, Span<byte> payload) =>
        Base64Url.GetEncodedLength(payload.Length) == payloadText.Length
        && Base64Url.DecodeFromChars(payloadText, payload, out _, out var written) == OperationStatus.Done
        && written == payload.Length;
}
