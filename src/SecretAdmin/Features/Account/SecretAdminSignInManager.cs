using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using SecretAdmin.Features.Users;

namespace SecretAdmin.Features.Account;

/// <summary>Identity's sign-in manager, refusing users an administrator has disabled.</summary>
public sealed class SecretAdminSignInManager(
    UserManager<SecretAdminUser> userManager,
    IHttpContextAccessor contextAccessor,
    IUserClaimsPrincipalFactory<SecretAdminUser> claimsFactory,
    IOptions<IdentityOptions> optionsAccessor,
    ILogger<SignInManager<SecretAdminUser>> logger,
    IAuthenticationSchemeProvider schemes,
    IUserConfirmation<SecretAdminUser> confirmation)
    : SignInManager<SecretAdminUser>(userManager, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
{
    public override async Task<bool> CanSignInAsync(SecretAdminUser user) =>
        !user.IsDisabled && await base.CanSignInAsync(user);
}
