using SecretAdmin.Access;

namespace SecretAdmin.Features.Account;

internal static class SecondFactorRedirect
{
    /// <summary>Where a second-factor outcome leads, or null to show the form again with its error.</summary>
    public static string? For(PasswordSignInOutcome outcome, string? returnUrl)
    {
        var local = LocalRedirect.Sanitize(returnUrl);
        return outcome switch
        {
            PasswordSignInOutcome.Succeeded => local,
            PasswordSignInOutcome.MustChangePassword => $"{AccountPaths.ChangePassword}?returnUrl={Uri.EscapeDataString(local)}",
            PasswordSignInOutcome.LockedOut => AccountPaths.Lockout,
            PasswordSignInOutcome.NoPendingSignIn => AccountPaths.Login,
            _ => null,
        };
    }
}
