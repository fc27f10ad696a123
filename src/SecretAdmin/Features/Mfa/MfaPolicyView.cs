using SecretAdmin.Features.Mfa.Totp;

namespace SecretAdmin.Features.Mfa;

public sealed record MfaPolicyView(
    string Issuer,
    int Digits,
    int PeriodSeconds,
    TotpAlgorithm Algorithm,
    int WindowSteps,
    bool RequireForAdmins,
    bool RequireForAllUsers,
    bool RequireTotpAfterSso,
    int MaxFailedAttempts,
    int LockoutMinutes,
    DateTime? UpdatedAtUtc,
    string? UpdatedBy,
    long Version)
{
    /// <summary>Whether users of this kind must have an authenticator.</summary>
    public bool RequiresMfa(bool isAdmin) => RequireForAllUsers || (RequireForAdmins && isAdmin);
}
