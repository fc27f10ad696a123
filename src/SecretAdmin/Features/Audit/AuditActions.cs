namespace SecretAdmin.Features.Audit;

/// <summary>The actions the audit log knows. New features add theirs here.</summary>
public static class AuditActions
{
    public const string SetupCompleted = "setup.completed";
    public const string SignInSucceeded = "sign-in.succeeded";
    public const string SignInFailed = "sign-in.failed";
    public const string LockedOut = "sign-in.locked-out";
    public const string SignedOut = "sign-out";
    public const string PasswordChanged = "account.password-changed";
    public const string ProfileChanged = "account.profile-changed";
    public const string UserCreated = "user.created";
    public const string UserDisabled = "user.disabled";
    public const string UserEnabled = "user.enabled";
    public const string AdminGranted = "user.admin-granted";
    public const string AdminRevoked = "user.admin-revoked";
    public const string UserUnlocked = "user.unlocked";
    public const string OidcSettingsChanged = "settings.oidc-changed";
    public const string SmtpSettingsChanged = "settings.smtp-changed";
    public const string MfaPolicyChanged = "settings.mfa-policy-changed";
    public const string SmtpTestMailSent = "settings.smtp-test-mail-sent";
    public const string SmtpTestMailFailed = "settings.smtp-test-mail-failed";
    public const string MfaEnrolled = "mfa.enrolled";
    public const string RecoveryCodesRegenerated = "mfa.recovery-codes-regenerated";
    public const string MfaCodeReplayed = "mfa.code-replayed";
    public const string RecoveryCodeUsed = "mfa.recovery-code-used";
    public const string MfaReset = "mfa.reset";
    public const string MfaDisabled = "mfa.disabled";
    public const string PasskeyAdded = "mfa.passkey-added";
    public const string PasskeyRenamed = "mfa.passkey-renamed";
    public const string PasskeyRemoved = "mfa.passkey-removed";
    public const string PasskeyRefused = "mfa.passkey-refused";
    public const string SsoSignedIn = "sso.signed-in";
    public const string SsoLinked = "sso.linked";
    public const string SsoRefused = "sso.refused";
    public const string SsoFailed = "sso.failed";
    public const string SsoRoleClaimUnreadable = "sso.role-claim-unreadable";
    public const string SsoTested = "sso.tested";
    public const string KeysRotated = "keys.rotated";
    public const string KeysResealed = "keys.resealed";
    public const string KeyRetired = "keys.retired";
    public const string KeysVerified = "keys.verified";
    public const string MasterKeyRotated = "keys.master-rotated";
    public const string KeyRingConverted = "keys.key-ring-converted";
    public const string PlaintextImported = "secrets.plaintext-imported";
    public const string SecretBound = "secrets.bound-to-destination";

    public const string UserInvited = "user.invited";
    public const string InvitationAccepted = "account.invitation-accepted";
    public const string PasswordResetRequested = "account.password-reset-requested";
    public const string PasswordReset = "account.password-reset";
    public const string MailSent = "mail.sent";
    public const string MailFailed = "mail.failed";
    public const string MailRetried = "mail.retried";

    public static IReadOnlyList<string> All { get; } =
    [
        SetupCompleted, SignInSucceeded, SignInFailed, LockedOut, SignedOut, PasswordChanged, ProfileChanged,
        UserCreated, UserDisabled, UserEnabled, AdminGranted, AdminRevoked, UserUnlocked,
        OidcSettingsChanged, SmtpSettingsChanged, MfaPolicyChanged, SmtpTestMailSent, SmtpTestMailFailed,
        MfaEnrolled, RecoveryCodesRegenerated, MfaCodeReplayed, RecoveryCodeUsed, MfaReset, MfaDisabled,
        PasskeyAdded, PasskeyRenamed, PasskeyRemoved, PasskeyRefused,
        SsoSignedIn, SsoLinked, SsoRefused, SsoFailed, SsoRoleClaimUnreadable, SsoTested,
        KeysRotated, KeysResealed, KeyRetired, KeysVerified, MasterKeyRotated, KeyRingConverted, PlaintextImported, SecretBound,
        UserInvited, InvitationAccepted, PasswordResetRequested, PasswordReset, MailSent, MailFailed, MailRetried,
    ];
}
