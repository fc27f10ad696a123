using System.Buffers.Text;
using System.Text.Json;

namespace SecretAdmin.Features.Mfa.Passkeys;

/// <summary>
/// What is read from a browser's credential before Identity checks it: its id (to find whose it
/// is, so a failure counts against that account) and the authenticator's flags for this use.
/// Nothing here is trusted until Identity has verified the signature.
/// </summary>
public sealed record PasskeyCredential(byte[] Id, bool UserVerified, bool BackupEligible)
{
    // Authenticator data: a 32-byte RP id hash, then the flags byte (WebAuthn §6.1).
    private const int FlagsOffset = 32;
    private const byte UserVerifiedFlag = 0x04;
    private const byte BackupEligibleFlag = 0x08;

    /// <summary>The credential of <c>navigator.credentials.get()</c> as JSON, or null when it is not one.</summary>
    public static PasskeyCredential? FromAssertionJson(string? json)
    {
        if (string.IsNullOrEmpty(json) || json.Length > 64 * 1024)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("response", out var response) || response.ValueKind != JsonValueKind.Object
                || !response.TryGetProperty("authenticatorData", out var data) || data.ValueKind != JsonValueKind.String)
            {
                return null;
            }

            var idBytes = Base64Url.DecodeFromChars(id.GetString());
            var authenticatorData = Base64Url.DecodeFromChars(data.GetString());
            if (idBytes.Length is 0 or > 1023 || authenticatorData.Length <= FlagsOffset)
            {
                return null;
            }

            var flags = authenticatorData[FlagsOffset];
            return new PasskeyCredential(idBytes, (flags & UserVerifiedFlag) != 0, (flags & BackupEligibleFlag) != 0);
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            return null;
        }
    }
}
