using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using SecretAdmin.Features.Audit;
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
                [FromForm] string? returnUrl) =>
            {
                var email = context.User.Identity?.Name;
                await signInManager.SignOutAsync();
                if (email is not null)
                {
                    await auditLog.WriteAsync(new AuditActor(email, context.Connection.RemoteIpAddress?.ToString()), AuditActions.SignedOut, email);
                }

                return TypedResults.LocalRedirect($"{AccountPaths.Login}?returnUrl={Uri.EscapeDataString(LocalRedirect.Sanitize(returnUrl))}");
            })
            .RequireAuthorization(Policies.AccountSteps);
        return endpoints;
    }
}
