using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using SecretAdmin.Access;
using SecretAdmin.Data;
using SecretAdmin.Features.Account;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Users;
using Microsoft.EntityFrameworkCore;

namespace SecretAdmin.Features.Mfa.Passkeys;

/// <summary>
/// The requests a page's passkey button makes from the browser (<c>wwwroot/js/passkeys.js</c>),
/// each a form POST with its antiforgery token: the options for a new passkey (after the owner
/// proved it is them, when they already have a second factor), the new passkey itself, and the
/// options for a sign-in. The sign-in's credential is posted by its page's own form.
/// </summary>
internal static class PasskeyEndpoints
{
    public static IEndpointRouteBuilder MapPasskeyEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(AccountPaths.PasskeyCreationOptions, async (
                HttpContext context,
                [FromServices] SignInManager<SecretAdminUser> signInManager,
                [FromServices] PasskeyService passkeys,
                [FromServices] MfaEnrollmentService mfa,
                [FromServices] IDbContextFactory<SecretAdminDbContext> dbContextFactory,
                [FromForm] string? name,
                [FromForm] string? proof) =>
            {
                var userId = context.User.FindFirstValue(ClaimTypes.NameIdentifier)!;
                if (await passkeys.WhyCannotAddAsync(userId, name, context.RequestAborted) is { } refused)
                {
                    return Refused(refused);
                }

                // As on the rest of the page: a change to someone's second factors needs proof it is them; a first one, right after signing in, does not.
                await using (var db = await dbContextFactory.CreateDbContextAsync(context.RequestAborted))
                {
                    if (await SecondFactors.HasAnyAsync(db, userId, context.RequestAborted))
                    {
                        var confirmed = await mfa.ReauthenticateAsync(Actor(context), userId, proof, context.RequestAborted);
                        if (!confirmed.Confirmed)
                        {
                            return Refused(confirmed.Message!);
                        }
                    }
                }

                var email = context.User.Identity!.Name!;
                var options = await signInManager.MakePasskeyCreationOptionsAsync(new PasskeyUserEntity { Id = userId, Name = email, DisplayName = email });
                return Results.Content(options, "application/json");
            })
            .RequireAuthorization(Policies.AccountSteps);

        endpoints.MapPost(AccountPaths.PasskeyAdd, async (
                HttpContext context,
                [FromServices] SignInManager<SecretAdminUser> signInManager,
                [FromServices] PasskeyService passkeys,
                [FromServices] AuditLog auditLog,
                [FromForm] string? credential,
                [FromForm] string? name,
                [FromForm] string? returnUrl) =>
            {
                var userId = context.User.FindFirstValue(ClaimTypes.NameIdentifier)!;
                if (string.IsNullOrEmpty(credential))
                {
                    return Refused("The browser sent no passkey. Try again.");
                }

                var attested = await signInManager.PerformPasskeyAttestationAsync(credential);
                if (!attested.Succeeded || attested.UserEntity.Id != userId)
                {
                    // Identity's reason names no secret (a wrong challenge, origin or format); it is kept for the administrator.
                    var reason = attested.Succeeded ? "made for another account" : attested.Failure.Message;
                    await auditLog.WriteAsync(Actor(context), AuditActions.PasskeyRefused, context.User.Identity!.Name, ["Passkey"], reason, context.RequestAborted);
                    return Refused("The passkey could not be checked, so it was not added. Start again; a registration lasts five minutes.");
                }

                var added = await passkeys.AddAsync(Actor(context), userId, attested.Passkey, name, context.RequestAborted);
                var next = string.IsNullOrEmpty(returnUrl)
                    ? $"{AccountPaths.Mfa}?passkey=added"
                    : $"{AccountPaths.Mfa}?passkey=added&returnUrl={Uri.EscapeDataString(LocalRedirect.Sanitize(returnUrl))}";
                return added.Succeeded ? Results.Json(new { next }) : Refused(added.Message!);
            })
            .RequireAuthorization(Policies.AccountSteps);

        endpoints.MapPost(AccountPaths.PasskeyRequestOptions, async (
                HttpContext context,
                [FromServices] SignInManager<SecretAdminUser> signInManager,
                [FromForm] string? step) =>
            {
                SecretAdminUser? user = null;
                if (step == "second")
                {
                    user = await signInManager.GetTwoFactorAuthenticationUserAsync();
                    if (user is null)
                    {
                        return Refused("Your password step has expired. Sign in again.");
                    }
                }

                return Results.Content(await signInManager.MakePasskeyRequestOptionsAsync(user), "application/json");
            })
            .AllowAnonymous();
        return endpoints;
    }

    private static IResult Refused(string message) => Results.Json(new { error = message }, statusCode: StatusCodes.Status400BadRequest);

    private static AuditActor Actor(HttpContext context) =>
        new(context.User.Identity?.Name ?? "", context.Connection.RemoteIpAddress?.ToString());
}
