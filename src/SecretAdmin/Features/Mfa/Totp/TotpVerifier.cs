using OtpNet;

namespace SecretAdmin.Features.Mfa.Totp;

/// <summary>
/// Checks a TOTP code (RFC 6238, through Otp.NET) within a window of steps before and after
/// now, and says which time step it matched, so that step can be accepted only once.
/// </summary>
public static class TotpVerifier
{
    /// <returns>The matched time step, or null when the code does not match any step in the window.</returns>
    public static long? Verify(byte[] secret, TotpParameters parameters, string? code, DateTimeOffset now, int windowSteps)
    {
        var digits = Normalize(code);
        if (digits is null || digits.Length != parameters.Digits)
        {
            return null;
        }

        var totp = Create(secret, parameters);
        var window = new VerificationWindow(previous: windowSteps, future: windowSteps);
        return totp.VerifyTotp(now.UtcDateTime, digits, out var step, window) ? step : null;
    }

    /// <summary>The code for <paramref name="now"/>; for tests and for showing an enrollment's first step.</summary>
    public static string Compute(byte[] secret, TotpParameters parameters, DateTimeOffset now) =>
        Create(secret, parameters).ComputeTotp(now.UtcDateTime);

    /// <summary>Digits only, with the spaces people type between groups removed; null when anything else is there.</summary>
    public static string? Normalize(string? code)
    {
        var compact = code?.Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).Trim();
        return string.IsNullOrEmpty(compact) || !compact.All(char.IsAsciiDigit) ? null : compact;
    }

    private static OtpNet.Totp Create(byte[] secret, TotpParameters parameters) => new(
        secret,
        step: parameters.PeriodSeconds,
        mode: parameters.Algorithm switch
        {
            TotpAlgorithm.Sha256 => OtpHashMode.Sha256,
            TotpAlgorithm.Sha512 => OtpHashMode.Sha512,
            _ => OtpHashMode.Sha1,
        },
        totpSize: parameters.Digits);
}
