using System.Globalization;

namespace SecretAdmin.Features.Mail;

/// <summary>
/// The texts of the security notices: what happened to an account or to the keys, when, and what
/// to do if it was not expected. A notice never carries a secret, a code, a token, a password or an
/// address it came from, so it is queued unsealed; an account without an email gets none (null).
/// </summary>
public static class SecurityNotices
{
    private const string NotYou = "If this was not you, contact your administrator now.";
    private const string AskAdmins = "If you did not expect this, ask the other administrators, and look at the audit log.";

    public static OutgoingMail? PasswordChanged(string? recipient, DateTime atUtc) =>
        ToUser(recipient, "password-changed", "Your password was changed", $"The password of your SecretAdmin account was changed on {When(atUtc)}.");

    public static OutgoingMail? MfaEnabled(string? recipient, DateTime atUtc) =>
        ToUser(recipient, "mfa-enabled", "Two-factor sign-in was turned on", $"An authenticator app was set up for your SecretAdmin account on {When(atUtc)}, with new recovery codes.");

    public static OutgoingMail? MfaDisabled(string? recipient, DateTime atUtc) =>
        ToUser(recipient, "mfa-disabled", "Two-factor sign-in was turned off", $"Two-factor sign-in was turned off for your SecretAdmin account on {When(atUtc)}; your authenticator and recovery codes no longer work.");

    public static OutgoingMail? MfaReset(string? recipient, DateTime atUtc) =>
        ToUser(recipient, "mfa-reset", "An administrator reset your two-factor sign-in", $"An administrator removed the authenticator, passkeys and recovery codes of your SecretAdmin account on {When(atUtc)}. Sign in with your password and set up your second factor again.");

    public static OutgoingMail? PasskeyAdded(string? recipient, DateTime atUtc, string name) =>
        ToUser(recipient, "passkey-added", "A passkey was added", $"A passkey named \"{name}\" was added to your SecretAdmin account on {When(atUtc)}. It signs in without a password.");

    public static OutgoingMail? PasskeyRemoved(string? recipient, DateTime atUtc, string name) =>
        ToUser(recipient, "passkey-removed", "A passkey was removed", $"The passkey named \"{name}\" was removed from your SecretAdmin account on {When(atUtc)}; it no longer signs in.");

    public static OutgoingMail? RecoveryCodeUsed(string? recipient, DateTime atUtc, int unusedLeft) =>
        ToUser(recipient, "recovery-code-used", "A recovery code was used to sign in", $"One of your recovery codes was used to sign in to your SecretAdmin account on {When(atUtc)}; {unusedLeft} unused code(s) are left.");

    public static OutgoingMail? RecoveryCodesRegenerated(string? recipient, DateTime atUtc) =>
        ToUser(recipient, "recovery-codes-regenerated", "New recovery codes were made", $"New recovery codes were made for your SecretAdmin account on {When(atUtc)}; the earlier codes no longer work.");

    public static OutgoingMail? MfaCodeReplayed(string? recipient, DateTime atUtc) =>
        ToUser(recipient, "mfa-code-replayed", "A used authenticator code was refused", $"An authenticator code that had already been used was entered for your SecretAdmin account on {When(atUtc)} and refused. Someone may know your password and have seen one of your codes.");

    public static OutgoingMail? AdminGranted(string? recipient, DateTime atUtc) =>
        ToUser(recipient, "admin-granted", "You are now an administrator", $"Your SecretAdmin account was made an administrator on {When(atUtc)}.");

    public static OutgoingMail? AdminRevoked(string? recipient, DateTime atUtc) =>
        ToUser(recipient, "admin-revoked", "You are no longer an administrator", $"The administrator role was removed from your SecretAdmin account on {When(atUtc)}.");

    public static OutgoingMail KeyRotated(string recipient, DateTime atUtc, int keyId) =>
        ToAdmin(recipient, "key-rotated", "A data key was rotated", $"Data key {keyId} was made the active key of SecretAdmin on {When(atUtc)}. Values sealed with earlier keys stay readable; re-seal them to move them to the new key.");

    public static OutgoingMail ResealFinished(string recipient, DateTime atUtc, long done, long unreadable) =>
        ToAdmin(recipient, "reseal-finished", "A re-seal finished", $"A re-seal of SecretAdmin's stored values finished on {When(atUtc)}: {done} value(s) re-sealed, {unreadable} could not be opened and were left as they were.");

    public static OutgoingMail ResealFailed(string recipient, DateTime atUtc, long done) =>
        ToAdmin(recipient, "reseal-failed", "A re-seal failed", $"A re-seal of SecretAdmin's stored values stopped with an error on {When(atUtc)} after {done} value(s). What it did is kept; see the Keys page, and start it again.");

    public static OutgoingMail SecretsUnreadable(string recipient, DateTime atUtc, long unreadable) =>
        ToAdmin(recipient, "secrets-unreadable", "Stored secrets cannot be opened", $"A verify of SecretAdmin's stored values on {When(atUtc)} found {unreadable} value(s) that do not open with the keys in the database. See the Keys page; restore the missing key or enter those secrets again.");

    private static OutgoingMail? ToUser(string? recipient, string kind, string subject, string what) =>
        string.IsNullOrWhiteSpace(recipient) ? null : new($"notice.{kind}", recipient, subject, $"{what}\n\n{NotYou}\n", CarriesToken: false);

    private static OutgoingMail ToAdmin(string recipient, string kind, string subject, string what) =>
        new($"notice.{kind}", recipient, subject, $"{what}\n\n{AskAdmins}\n", CarriesToken: false);

    private static string When(DateTime atUtc) => atUtc.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
