using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using SecretAdmin.Features.Users;

namespace SecretAdmin.Features.Account;

/// <summary>Identity's claims, plus a claim while the user must change a temporary password.</summary>
public sealed class SecretAdminUserClaimsPrincipalFactory(
    UserManager<SecretAdminUser> userManager,
    RoleManager<IdentityRole> roleManager,
    IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<SecretAdminUser, IdentityRole>(userManager, roleManager, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(SecretAdminUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        if (user.MustChangePassword)
        {
            identity.AddClaim(new Claim(SecretAdminClaims.MustChangePassword, "true"));
        }

        return identity;
    }
}
