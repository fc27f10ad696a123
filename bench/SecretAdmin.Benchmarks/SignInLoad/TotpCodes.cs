using OtpNet;

namespace SecretAdmin.Benchmarks.SignInLoad;

/// <summary>
/// The codes an authenticator app shows, computed ahead with Otp.NET (SHA-1, 6 digits, 30 s: what
/// the seeded enrollments use), and the sessions file the sign-in script reads.
/// </summary>
internal static class TotpCodes
{
    public const int PeriodSeconds = 30;

    public static long StepAt(DateTimeOffset time) => time.ToUnixTimeSeconds() / PeriodSeconds;

    public static string For(byte[] secret, long step) =>
        new Totp(secret, PeriodSeconds, OtpHashMode.Sha1, 6).ComputeTotp(DateTimeOffset.FromUnixTimeSeconds(step * PeriodSeconds).UtcDateTime);

    /// <summary>One line per session: Cookie header, URL-encoded form token, then the codes of <paramref name="stepCount"/> steps from <paramref name="firstStep"/>.</summary>
    public static async Task WriteSessionsFileAsync(string file, IReadOnlyList<SignInSession> sessions, IReadOnlyList<byte[]> secrets, long firstStep, int stepCount)
    {
        await using var writer = new StreamWriter(file);
        foreach (var session in sessions)
        {
            var totp = new Totp(secrets[session.User], PeriodSeconds, OtpHashMode.Sha1, 6);
            await writer.WriteAsync($"{session.CookieHeader}\t{Uri.EscapeDataString(session.FormToken)}\t");
            for (var step = firstStep; step < firstStep + stepCount; step++)
            {
                await writer.WriteAsync(totp.ComputeTotp(DateTimeOffset.FromUnixTimeSeconds(step * PeriodSeconds).UtcDateTime));
            }

            await writer.WriteLineAsync();
        }
    }
}
