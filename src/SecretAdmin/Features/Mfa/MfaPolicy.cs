using SecretAdmin.Features.Settings;
using SecretAdmin.Features.Mfa.Totp;

namespace SecretAdmin.Features.Mfa;

/// <summary>
/// The single row of the MFA policy: how new TOTP enrollments are made, who must use MFA, and
/// when failed attempts lock an account. Enrollments keep the parameters they were made with.
/// </summary>
public sealed class MfaPolicy : ISingleRowSettings
{
    public const int SingletonId = 1;

    public int Id { get; set; } = SingletonId;

    public string Issuer { get; set; } = "SecretAdmin";

    public int Digits { get; set; } = 6;

    public int PeriodSeconds { get; set; } = 30;

    public TotpAlgorithm Algorithm { get; set; } = TotpAlgorithm.Sha1;

    public int WindowSteps { get; set; } = 1;

    public bool RequireForAdmins { get; set; }

    public bool RequireForAllUsers { get; set; }

    /// <summary>
    /// Whether a user with an authenticator must enter its code after single sign-on too; off
    /// trusts the OIDC provider to have done MFA.
    /// </summary>
    public bool RequireTotpAfterSso { get; set; }

    /// <summary>Administrators must have a passkey and sign in with it (a phishing-resistant factor).</summary>
    public bool RequirePasskeyForAdmins { get; set; }

    /// <summary>Every user must have a passkey and sign in with it.</summary>
    public bool RequirePasskeyForAllUsers { get; set; }

    /// <summary>Administrators may not use a passkey that can be synced to other devices (backup-eligible).</summary>
    public bool RefuseSyncedPasskeysForAdmins { get; set; }

    public int MaxFailedAttempts { get; set; } = 5;

    public int LockoutMinutes { get; set; } = 5;

    public DateTime? UpdatedAtUtc { get; set; }

    public string? UpdatedBy { get; set; }

    public long Version { get; set; }
}
