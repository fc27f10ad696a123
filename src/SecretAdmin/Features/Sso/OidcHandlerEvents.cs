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
    ILogger<OidcHandlerEvents> logger) : OpenIdConnectEvents
{
    public override async Task RedirectToIdentityProvider(RedirectContext context)
    {
        var availability = snapshot.Availability;
        if (!availability.Ready)
        {
            logger.LogWarning("Single sign-on refused to start: {Reason}", availability.Reason);
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
            context.Response.Redirect(SsoErrors.PathFor(SsoErrorKind.Unavailable));
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
        await auditLog.WriteAsync(AuditActor.Anonymous(context.HttpContext.Connection.RemoteIpAddress?.ToString()), AuditActions.SsoFailed, (context.Options as OpenIdConnectOptions)?.Authority, reason: SsoErrors.Code(kind));
        context.Response.Redirect(SsoErrors.PathFor(kind));
        context.HandleResponse();
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
        await auditLog.WriteAsync(AuditActor.Anonymous(context.HttpContext.Connection.RemoteIpAddress?.ToString()), AuditActions.SsoFailed, (context.Options as OpenIdConnectOptions)?.Authority, reason: SsoErrors.Code(SsoErrorKind.Cancelled));
        context.Response.Redirect(SsoErrors.PathFor(SsoErrorKind.Cancelled));
        context.HandleResponse();
    }
}
