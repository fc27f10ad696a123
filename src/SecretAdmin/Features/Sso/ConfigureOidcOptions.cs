using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace SecretAdmin.Features.Sso;

/// <summary>
/// Builds the OpenID Connect handler's options from the stored settings each time they change:
/// authorization code flow with PKCE, the provider's claim names as they are, and explicit name
/// and role claim types. The client secret is not put here: <see cref="OidcHandlerEvents"/> opens
/// it only for the token request, so it never sits in the options.
/// </summary>
internal sealed class ConfigureOidcOptions(OidcSettingsSnapshot snapshot) : IConfigureNamedOptions<OpenIdConnectOptions>
{
    // While single sign-on is off or incomplete the handler still needs options that validate;
    // these never reach the network, because every challenge is refused first.
    private const string UnconfiguredAuthority = "https://sso-not-configured.invalid";
    private const string UnconfiguredClientId = "sso-not-configured";

    public void Configure(OpenIdConnectOptions options) => Configure(SsoDefaults.Scheme, options);

    public void Configure(string? name, OpenIdConnectOptions options)
    {
        if (name != SsoDefaults.Scheme)
        {
            return;
        }

        var settings = snapshot.Current;
        var authority = string.IsNullOrWhiteSpace(settings.Authority) ? UnconfiguredAuthority : settings.Authority;
        options.Authority = authority;
        options.RequireHttpsMetadata = !IsLoopbackHttp(authority);
        options.ClientId = string.IsNullOrWhiteSpace(settings.ClientId) ? UnconfiguredClientId : settings.ClientId;
        options.CallbackPath = settings.CallbackPath;
        options.SignedOutCallbackPath = SsoDefaults.SignedOutCallbackPath;
        options.SignInScheme = IdentityConstants.ExternalScheme;
        options.ResponseType = OpenIdConnectResponseType.Code;
        options.UsePkce = true;

        // The code comes back in the query of a top-level GET (PKCE protects it), so the handler's
        // correlation and nonce cookies can be SameSite=Lax and work over http on loopback too;
        // form_post would need SameSite=None, which browsers accept only with Secure (https).
        options.ResponseMode = OpenIdConnectResponseMode.Query;
        options.CorrelationCookie.SameSite = SameSiteMode.Lax;
        options.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        options.NonceCookie.SameSite = SameSiteMode.Lax;
        options.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        options.Scope.Clear();
        foreach (var scope in settings.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            options.Scope.Add(scope);
        }

        options.MapInboundClaims = false;
        options.GetClaimsFromUserInfoEndpoint = true;
        var roleClaimType = string.IsNullOrWhiteSpace(settings.RoleClaimType) ? "roles" : settings.RoleClaimType;
        // Issuer binding (mix-up defence): every ID token must come from the configured authority,
        // not merely from whatever issuer the discovery document names (the handler trusts that one).
        options.TokenValidationParameters.IssuerValidator = (issuer, _, _) => SsoIssuer.Matches(issuer, authority)
            ? issuer
            : throw new SecurityTokenInvalidIssuerException("The ID token's issuer is not the configured authority.") { InvalidIssuer = issuer };
        options.TokenValidationParameters.NameClaimType = "name";
        options.TokenValidationParameters.RoleClaimType = roleClaimType;

        // What the user info endpoint adds beyond the handler's defaults (sub, name, email, …).
        options.ClaimActions.MapUniqueJsonKey("email_verified", "email_verified");
        foreach (var claim in new[] { settings.EmailClaimFallback, settings.HostedDomainClaim })
        {
            if (!string.IsNullOrWhiteSpace(claim))
            {
                options.ClaimActions.MapUniqueJsonKey(claim, claim);
            }
        }
        // The role claim as user info sends it: by its whole name, and by its first part when it is a
        // path into a JSON claim (realm_access.roles); RoleClaims reads the values from either.
        options.ClaimActions.MapJsonKey(roleClaimType, roleClaimType);
        var roleClaimRoot = roleClaimType.Split('.')[0];
        if (roleClaimRoot != roleClaimType)
        {
            options.ClaimActions.MapJsonKey(roleClaimRoot, roleClaimRoot);
        }
        options.SaveTokens = false;
        options.BackchannelTimeout = TimeSpan.FromSeconds(15);
        options.EventsType = typeof(OidcHandlerEvents);
    }

    private static bool IsLoopbackHttp(string authority) =>
        Uri.TryCreate(authority, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp && (uri.IsLoopback || uri.Host == "localhost");
}
