using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using SecretAdmin.Features.Users;

namespace SecretAdmin.Features.Account;

/// <summary>
/// The session's claims: the user's id, name, email and security stamp, their roles, and a claim
/// while they must change a temporary password.
/// </summary>
/// <remarks>
/// The console stores no claims of users or of roles (nothing writes AspNetUserClaims or
/// AspNetRoleClaims), so the roles come from one query, not from Identity's four (user claims,
/// role names, each role, its claims) at every sign-in and security-stamp check.
/// </remarks>
public sealed class SecretAdminUserClaimsPrincipalFactory(
    UserManager<SecretAdminUser> userManager,
    IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<SecretAdminUser>(userManager, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(SecretAdminUser user)
    {
        var names = Options.ClaimsIdentity;
        var identity = new ClaimsIdentity(IdentityConstants.ApplicationScheme, names.UserNameClaimType, names.RoleClaimType);
        identity.AddClaim(new Claim(names.UserIdClaimType, await UserManager.GetUserIdAsync(user)));
        identity.AddClaim(new Claim(names.UserNameClaimType, await UserManager.GetUserNameAsync(user) ?? ""));
        if (await UserManager.GetEmailAsync(user) is { Length: > 0 } email)
        {
            identity.AddClaim(new Claim(names.EmailClaimType, email));
        }

        identity.AddClaim(new Claim(names.SecurityStampClaimType, await UserManager.GetSecurityStampAsync(user)));
        foreach (var role in await UserManager.GetRolesAsync(user))
        {
            identity.AddClaim(new Claim(names.RoleClaimType, role));
        }

        if (user.MustChangePassword)
        {
            identity.AddClaim(new Claim(SecretAdminClaims.MustChangePassword, "true"));
        }

        return identity;
    }
}
