using Microsoft.AspNetCore.Authorization;

namespace SecretAdmin.Features.Account;

/// <summary>
/// A user signed in with a temporary password reaches nothing but the change-password page
/// (and sign-out) until they have chosen a new one.
/// </summary>
internal sealed class RequiredAccountStepMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.User.HasClaim(c => c.Type == SecretAdminClaims.MustChangePassword)
            && context.GetEndpoint() is { } endpoint
            && endpoint.Metadata.GetMetadata<IAllowAnonymous>() is null
            && !context.Request.Path.Equals(AccountPaths.ChangePassword, StringComparison.OrdinalIgnoreCase)
            && !context.Request.Path.Equals(AccountPaths.Logout, StringComparison.OrdinalIgnoreCase))
        {
            var returnUrl = Uri.EscapeDataString(context.Request.Path + context.Request.QueryString);
            context.Response.Redirect($"{AccountPaths.ChangePassword}?returnUrl={returnUrl}");
            return Task.CompletedTask;
        }

        return next(context);
    }
}
