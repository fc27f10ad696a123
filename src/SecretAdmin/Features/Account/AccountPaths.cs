namespace SecretAdmin.Features.Account;

public static class AccountPaths
{
    public const string Login = "/account/login";
    public const string LoginWithCode = "/account/login-code";
    public const string LoginWithRecoveryCode = "/account/login-recovery-code";
    public const string Logout = "/account/logout";
    public const string Lockout = "/account/lockout";
    public const string AccessDenied = "/account/access-denied";
    public const string ChangePassword = "/account/change-password";
    public const string Account = "/account";
    public const string Mfa = "/account/mfa";
    public const string Invitation = "/account/invitation";
    public const string ForgotPassword = "/account/forgot-password";
    public const string ResetPassword = "/account/reset-password";
    public const string PasskeyCreationOptions = "/account/passkeys/creation-options";
    public const string PasskeyAdd = "/account/passkeys/add";
    public const string PasskeyRequestOptions = "/account/passkeys/request-options";
}
