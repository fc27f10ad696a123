using SecretAdmin.Features.Mfa.Totp;

namespace SecretAdmin.Features.Mfa;

/// <summary>What the account page shows of a user's two-factor sign-in; never the secret.</summary>
public sealed record MfaStatus(bool Enrolled, DateTime? EnrolledAtUtc, TotpParameters? Parameters, int UnusedRecoveryCodes, bool SecretReadable)
{
    public static MfaStatus NotEnrolled { get; } = new(false, null, null, 0, true);
}
