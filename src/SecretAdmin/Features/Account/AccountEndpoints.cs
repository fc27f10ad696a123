using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using SecretAdmin.Access;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Sso;
using SecretAdmin.Features.Users;

namespace SecretAdmin.Features.Account;

internal static class AccountEndpoints
{
    /// <summary>Sign-out: a POST with an antiforgery token (minimal APIs check it for forms), then the sign-in page.</summary>
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(AccountPaths.Logout, async (
                HttpContext context,
                [FromServices] SignInManager<SecretAdminUser> signInManager,
                [FromServices] AuditLog auditLog,
                [FromServices] SsoSignOut ssoSignOut,
                [FromForm] string? returnUrl) =>
            {
                var email = context.User.Identity?.Name;
                var atProvider = await ssoSignOut.ShouldSignOutAtProviderAsync(context.User, context.RequestAborted);
                await signInManager.SignOutAsync();
                if (email is not null)
                {
                    await auditLog.WriteAsync(new AuditActor(email, context.Connection.RemoteIpAddress?.ToString()), AuditActions.SignedOut, email);
                }

                var signInPage = $"{AccountPaths.Login}?returnUrl={Uri.EscapeDataString(LocalRedirect.Sanitize(returnUrl))}";
                return atProvider
                    ? Results.SignOut(new AuthenticationProperties { RedirectUri = signInPage }, [SsoDefaults.Scheme])
                    : Results.LocalRedirect(signInPage);
            })
            .RequireAuthorization(Policies.AccountSteps);
        return endpoints;
    }
}
