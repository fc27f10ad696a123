using Microsoft.AspNetCore.Authorization;
using SecretAdmin.Access;

namespace SecretAdmin.Features.Account;

/// <summary>
/// Part of the <see cref="Policies.Admin"/> and <see cref="Policies.SignedIn"/> policies: they hold
/// only once the user has no <see cref="AccountStep"/> pending. Checked by the authorization
/// middleware for requests and by the router and AuthorizeView inside a circuit.
/// </summary>
public sealed class NoPendingAccountStepRequirement : IAuthorizationRequirement;

internal sealed class NoPendingAccountStepHandler(RequiredAccountSteps steps) : AuthorizationHandler<NoPendingAccountStepRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, NoPendingAccountStepRequirement requirement)
    {
        if (await steps.PendingForAsync(context.User) == AccountStep.None)
        {
            context.Succeed(requirement);
        }
    }
}
