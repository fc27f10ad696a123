using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using SecretAdmin.Access;
using SecretAdmin.Data;
using SecretAdmin.Features.Mfa;

namespace SecretAdmin.Features.Account;

/// <summary>
/// Which step a signed-in user must take first. The password step comes from the session's
/// claims; the MFA step is read from the stored policy and the user's row on every check, so an
/// enrollment, a reset or a policy change applies at once, also one made by another instance.
/// </summary>
public sealed class RequiredAccountSteps(
    IDbContextFactory<SecretAdminDbContext> dbContextFactory,
    MfaPolicyService policyService,
    IHttpContextAccessor httpContextAccessor)
{
    private static readonly object RequestCacheKey = new();

    /// <summary>
    /// The step this user must take first. Within one HTTP request (the step middleware, then
    /// authorization) it is worked out once; inside a circuit, at every check.
    /// </summary>
    public async Task<AccountStep> PendingForAsync(ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        var request = httpContextAccessor.HttpContext;
        if (request is not null && ReferenceEquals(request.User, user) && request.Items[RequestCacheKey] is AccountStep known)
        {
            return known;
        }

        var step = await WorkOutAsync(user, cancellationToken);
        if (request is not null && ReferenceEquals(request.User, user))
        {
            request.Items[RequestCacheKey] = step;
        }

        return step;
    }

    private async Task<AccountStep> WorkOutAsync(ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (user.Identity?.IsAuthenticated != true)
        {
            return AccountStep.None;
        }

        // A temporary password is changed by whoever signs in with it; a single sign-on session did not.
        if (user.HasClaim(c => c.Type == SecretAdminClaims.MustChangePassword) && !SecretAdminClaims.IsSingleSignOnSession(user))
        {
            return AccountStep.ChangePassword;
        }

        var required = await RequiredForAsync(user, cancellationToken);
        if (required == SecondFactorRequirement.None)
        {
            return AccountStep.None;
        }

        await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
        var factors = await SecondFactors.OfAsync(db, user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "", cancellationToken);
        return required switch
        {
            SecondFactorRequirement.Passkey when factors.Passkeys == 0 => AccountStep.EnrollPasskey,
            _ when !factors.Any => AccountStep.EnrollMfa,
            _ => AccountStep.None,
        };
    }

    /// <summary>
    /// Which second factor the MFA policy requires for this user's role — for a single sign-on
    /// session only when the policy asks for the local factor after single sign-on too (otherwise
    /// the provider is trusted with the second factor).
    /// </summary>
    public async Task<SecondFactorRequirement> RequiredForAsync(ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        var policy = await policyService.GetAsync(cancellationToken);
        var isAdmin = user.IsInRole(Roles.Admin);
        if (SecretAdminClaims.IsSingleSignOnSession(user) && !policy.RequireTotpAfterSso)
        {
            return SecondFactorRequirement.None;
        }

        return policy.RequiresPasskey(isAdmin) ? SecondFactorRequirement.Passkey
            : policy.RequiresMfa(isAdmin) ? SecondFactorRequirement.Any
            : SecondFactorRequirement.None;
    }

    /// <summary>Whether the MFA policy requires a second factor of any kind for this user (see <see cref="RequiredForAsync"/>).</summary>
    public async Task<bool> MfaRequiredForAsync(ClaimsPrincipal user, CancellationToken cancellationToken = default) =>
        await RequiredForAsync(user, cancellationToken) != SecondFactorRequirement.None;

    /// <summary>The step's page, coming back to <paramref name="returnUrl"/> (a local path) afterwards.</summary>
    public static string PathFor(AccountStep step, string returnUrl)
    {
        var path = step switch
        {
            AccountStep.ChangePassword => AccountPaths.ChangePassword,
            AccountStep.EnrollMfa or AccountStep.EnrollPasskey => AccountPaths.Mfa,
            _ => throw new ArgumentOutOfRangeException(nameof(step), step, "No step is pending."),
        };
        return $"{path}?returnUrl={Uri.EscapeDataString(returnUrl)}";
    }
}
