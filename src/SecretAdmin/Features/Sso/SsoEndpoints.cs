using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using SecretAdmin.Access;
using SecretAdmin.Features.Account;
using SecretAdmin.Features.Audit;

namespace SecretAdmin.Features.Sso;

internal static class SsoEndpoints
{
    public static IEndpointRouteBuilder MapSsoEndpoints(this IEndpointRouteBuilder endpoints)
    {
        // A form POST with an antiforgery token, like sign-in: a page elsewhere cannot start it.
        endpoints.MapPost(SsoDefaults.Start, async (
                HttpContext context,
                [FromServices] OidcSettingsSnapshot snapshot,
                [FromServices] AuditLog auditLog,
                [FromServices] ILogger<OidcSettingsSnapshot> logger,
                [FromForm] string? returnUrl) =>
            {
                await snapshot.RefreshAsync(context.RequestAborted);
                var actor = AuditActor.Anonymous(context.Connection.RemoteIpAddress?.ToString());
                if (!snapshot.Availability.Ready)
                {
                    await auditLog.WriteAsync(actor, AuditActions.SsoFailed, snapshot.Current.Authority, reason: SsoErrors.Code(SsoErrorKind.Unavailable));
                    return Results.LocalRedirect(SsoErrors.PathFor(SsoErrorKind.Unavailable));
                }

                var complete = $"{SsoDefaults.Complete}?returnUrl={Uri.EscapeDataString(LocalRedirect.Sanitize(returnUrl))}";
                try
                {
                    // Discovery and a pushed authorization request (when the provider offers it) happen here.
                    await context.ChallengeAsync(SsoDefaults.Scheme, new AuthenticationProperties { RedirectUri = complete });
                    return Results.Empty;
                }
                catch (Exception e) when (e is OpenIdConnectProtocolException or HttpRequestException or InvalidOperationException or TaskCanceledException)
                {
                    var kind = SsoErrors.Classify(e);
                    logger.LogWarning("Single sign-on could not start: {Kind} ({Exception})", kind, e.GetType().Name);
                    await auditLog.WriteAsync(actor, AuditActions.SsoFailed, snapshot.Current.Authority, reason: SsoErrors.Code(kind));
                    return Results.LocalRedirect(SsoErrors.PathFor(kind));
                }
            })
            .AllowAnonymous();

        endpoints.MapGet(SsoDefaults.Complete, async (HttpContext context, [FromServices] SsoSignIn ssoSignIn, [FromQuery] string? returnUrl) =>
            {
                var external = await context.AuthenticateAsync(IdentityConstants.ExternalScheme);
                if (!external.Succeeded)
                {
                    return Results.LocalRedirect(SsoErrors.PathFor(SsoErrorKind.Expired));
                }

                var result = await ssoSignIn.CompleteAsync(external.Principal, context.Connection.RemoteIpAddress?.ToString(), context.RequestAborted);
                await context.SignOutAsync(IdentityConstants.ExternalScheme);
                var target = LocalRedirect.Sanitize(returnUrl);
                return result switch
                {
                    { SignedIn: true } => Results.LocalRedirect(target),
                    { RequiresTwoFactor: true } => Results.LocalRedirect($"{AccountPaths.LoginWithCode}?returnUrl={Uri.EscapeDataString(target)}"),
                    _ => Results.LocalRedirect(SsoErrors.PathFor(result.Refusal ?? SsoErrorKind.ProviderError)),
                };
            })
            .AllowAnonymous();

        // A test sign-in: the same flow against the saved settings, in the administrator's browser,
        // whose answer is reported (OidcHandlerEvents) instead of signing anyone in.
        endpoints.MapPost(SsoDefaults.TestStart, async (
                HttpContext context,
                [FromServices] OidcSettingsSnapshot snapshot,
                [FromServices] SsoTestRuns runs,
                [FromServices] AuditLog auditLog,
                [FromServices] TimeProvider time,
                [FromServices] ILogger<SsoTestRuns> logger) =>
            {
                var settings = await snapshot.RefreshAsync(context.RequestAborted);
                var owner = context.User.FindFirstValue(ClaimTypes.Email) ?? context.User.Identity?.Name ?? "unknown";
                var id = runs.Start(context.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "", owner);
                var availability = SsoAvailability.ForTest(settings);
                if (!availability.Ready)
                {
                    return await EndAsync(SsoTestReport.Failed(time.GetUtcNow(), settings.Authority ?? "", SsoErrorKind.Unavailable, $"The test cannot start: {availability.Reason}."));
                }

                try
                {
                    var properties = new AuthenticationProperties { RedirectUri = SsoTestRuns.ResultPath(id) };
                    properties.Items[SsoTestRuns.PropertiesKey] = id;
                    await context.ChallengeAsync(SsoDefaults.Scheme, properties);
                    return Results.Empty;
                }
                catch (Exception e) when (e is OpenIdConnectProtocolException or HttpRequestException or InvalidOperationException or TaskCanceledException)
                {
                    var kind = SsoErrors.Classify(e);
                    logger.LogWarning("A single sign-on test could not start: {Kind} ({Exception})", kind, e.GetType().Name);
                    return await EndAsync(SsoTestReport.Failed(time.GetUtcNow(), settings.Authority ?? "", kind));
                }

                async Task<IResult> EndAsync(SsoTestReport report) =>
                    Results.LocalRedirect(await runs.CompleteAsync(auditLog, id, owner, context.Connection.RemoteIpAddress?.ToString(), report));
            })
            .RequireAuthorization(Policies.Admin)
            .WithMetadata(new RequireAntiforgeryTokenAttribute());
        return endpoints;
    }
}
