using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Oidc;
using SecretAdmin.Security;

namespace SecretAdmin.Features.Sso;

/// <summary>
/// The handler's hooks: refuse to start when single sign-on is not ready (fail closed), open the
/// client secret only for the token request, and turn every provider failure into a clear page
/// that names the kind of problem — never a token, a code or the secret.
/// </summary>
internal sealed class OidcHandlerEvents(
    OidcSettingsSnapshot snapshot,
    OidcSettingsService settings,
    AuditLog auditLog,
    SsoTestRuns testRuns,
    SsoSignIn ssoSignIn,
    TimeProvider time,
    ILogger<OidcHandlerEvents> logger) : OpenIdConnectEvents
{
    private const string IdTokenClaimsItem = "secretadmin.sso-test.id-token-claims";
    private const string UserInfoClaimsItem = "secretadmin.sso-test.user-info-claims";

    public override async Task RedirectToIdentityProvider(RedirectContext context)
    {
        // A test sign-in runs against the saved settings whether single sign-on is offered yet or not.
        var availability = SsoTestRuns.IsTest(context.Properties) ? SsoAvailability.ForTest(snapshot.Current) : snapshot.Availability;
        if (!availability.Ready)
        {
            logger.LogWarning("Single sign-on refused to start: {Reason}", availability.Reason);
            if (await EndTestAsync(context.HttpContext, context.Properties, context.Options.Authority, SsoErrorKind.Unavailable))
            {
                context.HandleResponse();
                return;
            }

            context.Response.Redirect(SsoErrors.PathFor(SsoErrorKind.Unavailable));
            context.HandleResponse();
            return;
        }

        // A provider whose discovery document names another issuer than the configured authority
        // is not sent the user (mix-up defence); its ID tokens would be refused anyway.
        var configuration = await context.Options.ConfigurationManager!.GetConfigurationAsync(context.HttpContext.RequestAborted);
        if (!SsoIssuer.Matches(configuration.Issuer, context.Options.Authority))
        {
            logger.LogWarning("Single sign-on refused to start: the discovery document's issuer is not the configured authority");
            if (await EndTestAsync(context.HttpContext, context.Properties, context.Options.Authority, SsoErrorKind.IssuerMismatch))
            {
                context.HandleResponse();
                return;
            }

            await auditLog.WriteAsync(AuditActor.Anonymous(context.HttpContext.Connection.RemoteIpAddress?.ToString()), AuditActions.SsoFailed, context.Options.Authority, reason: SsoErrors.Code(SsoErrorKind.IssuerMismatch));
            context.Response.Redirect(SsoErrors.PathFor(SsoErrorKind.IssuerMismatch));
            context.HandleResponse();
        }
    }

    /// <summary>
    /// A provider that offers pushed authorization requests gets the parameters from the server,
    /// with the client's credentials the way its discovery document asks for.
    /// </summary>
    public override async Task PushAuthorization(PushedAuthorizationContext context)
    {
        if (await OpenSecretAsync(context.HttpContext, context.Options) is not { } secret)
        {
            // Not pushed without the secret; the token request later fails closed the same way.
            context.SkipPush();
            return;
        }

        var configuration = await context.Options.ConfigurationManager!.GetConfigurationAsync(context.HttpContext.RequestAborted);
        var pushed = await ClientAuthentication.PostAsync(
            context.Options.Backchannel,
            configuration.PushedAuthorizationRequestEndpoint,
            context.ProtocolMessage.Parameters,
            context.Options.ClientId!,
            secret,
            ClientAuthenticationFor(configuration),
            context.HttpContext.RequestAborted);
        context.HandlePush(pushed.RequestUri);
    }

    /// <summary>The code is redeemed here, with the client's credentials the way the provider's discovery document asks for; the handler validates the answer.</summary>
    public override async Task AuthorizationCodeReceived(AuthorizationCodeReceivedContext context)
    {
        if (await OpenSecretAsync(context.HttpContext, context.Options) is not { } secret)
        {
            // Never a token request with an empty or wrong secret.
            context.HandleResponse();
            if (!await EndTestAsync(context.HttpContext, context.Properties, context.Options.Authority, SsoErrorKind.Unavailable))
            {
                context.Response.Redirect(SsoErrors.PathFor(SsoErrorKind.Unavailable));
            }

            return;
        }

        var configuration = await context.Options.ConfigurationManager!.GetConfigurationAsync(context.HttpContext.RequestAborted);
        var tokens = await ClientAuthentication.PostAsync(
            context.Backchannel,
            configuration.TokenEndpoint,
            context.TokenEndpointRequest!.Parameters,
            context.Options.ClientId!,
            secret,
            ClientAuthenticationFor(configuration),
            context.HttpContext.RequestAborted);
        context.HandleCodeRedemption(tokens);
    }

    /// <summary>The method the administrator fixed in the settings, or the one the discovery document asks for.</summary>
    private ClientAuthenticationMethod ClientAuthenticationFor(OpenIdConnectConfiguration configuration) => snapshot.Current.ClientAuthentication switch
    {
        SsoClientAuthentication.Basic => ClientAuthenticationMethod.Basic,
        SsoClientAuthentication.Post => ClientAuthenticationMethod.Post,
        _ => ClientAuthentication.Choose(configuration.TokenEndpointAuthMethodsSupported),
    };

    public override Task RedirectToIdentityProviderForSignOut(RedirectContext context)
    {
        // Lets the provider find the client (and its registered post-logout address) without an ID token hint.
        context.ProtocolMessage.ClientId = context.Options.ClientId;
        return Task.CompletedTask;
    }

    public override async Task RemoteFailure(RemoteFailureContext context)
    {
        var kind = SsoErrors.Classify(context.Failure);
        logger.LogWarning("Single sign-on failed at the provider step: {Kind} ({Exception})", kind, context.Failure?.GetType().Name);
        context.HandleResponse();
        if (await EndTestAsync(context.HttpContext, context.Properties, (context.Options as OpenIdConnectOptions)?.Authority, kind))
        {
            return;
        }

        await auditLog.WriteAsync(AuditActor.Anonymous(context.HttpContext.Connection.RemoteIpAddress?.ToString()), AuditActions.SsoFailed, (context.Options as OpenIdConnectOptions)?.Authority, reason: SsoErrors.Code(kind));
        context.Response.Redirect(SsoErrors.PathFor(kind));
    }

    /// <summary>The client secret, opened for the provider and client these options talk to — only when it was saved for them.</summary>
    private async Task<string?> OpenSecretAsync(HttpContext context, OpenIdConnectOptions options)
    {
        if (await settings.OpenClientSecretAsync(options.Authority!, options.ClientId!, context.RequestAborted) is SecretRead.PresentSecret secret)
        {
            return secret.Value;
        }

        logger.LogWarning("Single sign-on stopped before talking to the provider with the client secret: it is not set, cannot be opened, or was saved for another provider or client");
        return null;
    }

    public override async Task AccessDenied(AccessDeniedContext context)
    {
        context.HandleResponse();
        if (await EndTestAsync(context.HttpContext, context.Properties, (context.Options as OpenIdConnectOptions)?.Authority, SsoErrorKind.Cancelled))
        {
            return;
        }

        await auditLog.WriteAsync(AuditActor.Anonymous(context.HttpContext.Connection.RemoteIpAddress?.ToString()), AuditActions.SsoFailed, (context.Options as OpenIdConnectOptions)?.Authority, reason: SsoErrors.Code(SsoErrorKind.Cancelled));
        context.Response.Redirect(SsoErrors.PathFor(SsoErrorKind.Cancelled));
    }

    /// <summary>A test sign-in notes the names of the ID token's claims (never their values) for its report.</summary>
    public override Task TokenValidated(TokenValidatedContext context)
    {
        if (SsoTestRuns.IsTest(context.Properties) && context.Principal is { } principal)
        {
            context.HttpContext.Items[IdTokenClaimsItem] = ClaimNames(principal.Claims.Select(c => c.Type));
        }

        return Task.CompletedTask;
    }

    /// <summary>A test sign-in notes the names of every claim the user info endpoint sent, those the settings do not read included.</summary>
    public override Task UserInformationReceived(UserInformationReceivedContext context)
    {
        if (SsoTestRuns.IsTest(context.Properties) && context.User.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object)
        {
            context.HttpContext.Items[UserInfoClaimsItem] = ClaimNames(context.User.RootElement.EnumerateObject().Select(p => p.Name));
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// The answer to a test sign-in signs nobody in: what a real sign-in would do is worked out
    /// without changing anything, reported to the administrator who started it and audited.
    /// </summary>
    public override async Task TicketReceived(TicketReceivedContext context)
    {
        if (!SsoTestRuns.IsTest(context.Properties))
        {
            return;
        }

        context.HandleResponse();
        if (!testRuns.TryFind(context.Properties, out var id, out var owner))
        {
            // Expired or from another instance: the result page says so.
            context.Response.Redirect(SsoTestRuns.ResultPath(context.Properties!.Items[SsoTestRuns.PropertiesKey]!));
            return;
        }

        var current = await settings.GetAsync(context.HttpContext.RequestAborted);
        var external = context.Principal!;
        var match = await ssoSignIn.MatchAsync(external, current);
        var report = SsoTestReport.Completed(
            time.GetUtcNow(),
            current,
            external,
            match,
            context.HttpContext.Items[IdTokenClaimsItem] as IReadOnlyList<string> ?? [],
            context.HttpContext.Items[UserInfoClaimsItem] as IReadOnlyList<string> ?? []);
        await CompleteTestAsync(context.HttpContext, id, owner, report);
    }

    /// <summary>When these properties are a test sign-in's, ends it with <paramref name="failure"/> and sends the browser to its report.</summary>
    private async Task<bool> EndTestAsync(HttpContext context, AuthenticationProperties? properties, string? authority, SsoErrorKind failure)
    {
        if (!testRuns.TryFind(properties, out var id, out var owner))
        {
            return false;
        }

        await CompleteTestAsync(context, id, owner, SsoTestReport.Failed(time.GetUtcNow(), authority ?? "", failure));
        return true;
    }

    private async Task CompleteTestAsync(HttpContext context, string id, string owner, SsoTestReport report) =>
        context.Response.Redirect(await testRuns.CompleteAsync(auditLog, id, owner, context.Connection.RemoteIpAddress?.ToString(), report));

    private static string[] ClaimNames(IEnumerable<string> names) => names.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
}
