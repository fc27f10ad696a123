namespace SecretAdmin.Features.Account;

public enum PasswordSignInOutcome
{
    Succeeded,
    MustChangePassword,
    RequiresTwoFactor,
    LockedOut,
    Failed,

    /// <summary>A second-factor page was reached without a password step in progress (or after it expired).</summary>
    NoPendingSignIn,

    /// <summary>An authenticator code was sent where the MFA policy requires the user's passkey.</summary>
    PasskeyRequired,
}
