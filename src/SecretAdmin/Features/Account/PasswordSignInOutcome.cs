namespace SecretAdmin.Features.Account;

public enum PasswordSignInOutcome
{
    Succeeded,
    MustChangePassword,
    RequiresTwoFactor,
    LockedOut,
    Failed,
}
