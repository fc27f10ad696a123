using System.Text;
using OtpNet;

namespace SecretAdmin.Features.Mfa.Totp;

/// <summary>
/// A new authenticator secret offered to its owner on the enrollment page, before it is confirmed
/// and sealed. It exists only in the owner's page; its <see cref="ToString"/> never shows the secret.
/// </summary>
public sealed class TotpEnrollmentOffer(byte[] secret, TotpParameters parameters, string issuer, string account)
{
    internal byte[] Secret { get; } = secret;

    public TotpParameters Parameters { get; } = parameters;

    /// <summary>The secret as authenticator apps take it, in groups of four for typing by hand.</summary>
    public string ManualKey => string.Join(' ', Chunks(Base32Encoding.ToString(Secret).TrimEnd('='), 4));

    /// <summary><c>otpauth://totp/&lt;issuer&gt;:&lt;account&gt;?secret=…&amp;issuer=…&amp;algorithm=…&amp;digits=…&amp;period=…</c>, for the QR code.</summary>
    public string OtpAuthUri
    {
        get
        {
            var label = $"{Uri.EscapeDataString(issuer)}:{Uri.EscapeDataString(account)}";
            var query = new StringBuilder()
                .Append("secret=").Append(Base32Encoding.ToString(Secret).TrimEnd('='))
                .Append("&issuer=").Append(Uri.EscapeDataString(issuer))
                .Append("&algorithm=").Append(Parameters.Algorithm.ToString().ToUpperInvariant())
                .Append("&digits=").Append(Parameters.Digits)
                .Append("&period=").Append(Parameters.PeriodSeconds);
            return $"otpauth://totp/{label}?{query}";
        }
    }

    public override string ToString() => $"TOTP enrollment offer ({Parameters})";

    private static IEnumerable<string> Chunks(string text, int size)
    {
        for (var i = 0; i < text.Length; i += size)
        {
            yield return text.Substring(i, Math.Min(size, text.Length - i));
        }
    }
}
