using Microsoft.AspNetCore.Authorization;
using SecretAdmin.Access;

namespace SecretAdmin.Features.Account;

/// <summary>
/// Sends a user with a pending <see cref="AccountStep"/> to that step's page, with the page they
/// asked for as the return address. Runs before authorization, which would otherwise answer 403.
/// The steps' own pages and sign-out (policy <see cref="Policies.AccountSteps"/>), anonymous
/// pages and the framework's endpoints are left alone.
/// </summary>
internal sealed class RequiredAccountStepMiddleware(RequestDelegate next, RequiredAccountSteps steps)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint() is { } endpoint
            && NeedsStepsDone(endpoint)
            && await steps.PendingForAsync(context.User, context.RequestAborted) is var step and not AccountStep.None)
        {
            context.Response.Redirect(RequiredAccountSteps.PathFor(step, context.Request.Path + context.Request.QueryString));
            return;
        }

        await next(context);
    }

    private static bool NeedsStepsDone(Endpoint endpoint) =>
        endpoint.Metadata.GetMetadata<IAllowAnonymous>() is null
        && endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => a.Policy is Policies.Admin or Policies.SignedIn);
}
