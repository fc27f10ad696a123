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
    bool RequirePasskeyForAdmins,
    bool RequirePasskeyForAllUsers,
    bool RefuseSyncedPasskeysForAdmins,
    int MaxFailedAttempts,
    int LockoutMinutes,
    DateTime? UpdatedAtUtc,
    string? UpdatedBy,
    long Version)
{
    /// <summary>Whether users of this kind must have a second factor (a passkey requirement is one too).</summary>
    public bool RequiresMfa(bool isAdmin) => RequireForAllUsers || (RequireForAdmins && isAdmin) || RequiresPasskey(isAdmin);

    /// <summary>Whether users of this kind must have a passkey and use it at sign-in: a phishing-resistant factor.</summary>
    public bool RequiresPasskey(bool isAdmin) => RequirePasskeyForAllUsers || (RequirePasskeyForAdmins && isAdmin);

    /// <summary>
    /// Why a passkey cannot serve users of this kind, or null when it can: an administrator's must
    /// verify the user (PIN or biometrics), and may have to be bound to one device.
    /// </summary>
    public PasskeyRefusal? WhyPasskeyRefused(bool isAdmin, bool userVerified, bool backupEligible) =>
        !isAdmin ? null
        : !userVerified ? PasskeyRefusal.NoUserVerification
        : backupEligible && RefuseSyncedPasskeysForAdmins ? PasskeyRefusal.Synced
        : null;
}
