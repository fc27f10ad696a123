namespace SecretAdmin.Features.Account;

public static class SecretAdminClaims
{
    /// <summary>Present while the user signed in with a temporary password and must choose a new one.</summary>
    public const string MustChangePassword = "secretadmin:must-change-password";
}
