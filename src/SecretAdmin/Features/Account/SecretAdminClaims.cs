using System.Security.Claims;

namespace SecretAdmin.Features.Account;

public static class SecretAdminClaims
{
    /// <summary>Present while the user signed in with a temporary password and must choose a new one.</summary>
    public const string MustChangePassword = "secretadmin:must-change-password";

    /// <summary>
    /// Whether the session came from single sign-on: Identity marks a session signed in through an
    /// external provider with this claim (the password step uses "amr" instead).
    /// </summary>
    public static bool IsSingleSignOnSession(ClaimsPrincipal user) => user.HasClaim(c => c.Type == ClaimTypes.AuthenticationMethod);
}
