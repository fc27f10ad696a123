using SecretAdmin.Access;
using SecretAdmin.Features.Oidc;

namespace SecretAdmin.Hosting;

/// <summary>
/// The security headers of every response — pages, endpoints, static files, status and error
/// pages alike. They are set when the response starts, so an error page that clears the response
/// still carries them.
/// </summary>
internal sealed class SecurityHeadersMiddleware(RequestDelegate next, OidcSettingsService oidcSettings, ILogger<SecurityHeadersMiddleware> logger)
{
    /// <summary>Browser features the app never uses are denied; passkeys (WebAuthn) stay allowed for the app itself.</summary>
    public const string PermissionsPolicy =
        "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
        + "hid=(), magnetometer=(), microphone=(), midi=(), payment=(), serial=(), usb=(), "
        + "publickey-credentials-get=(self), publickey-credentials-create=(self)";

    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(async () =>
        {
            // Only a page holds forms; its sign-in, sign-out and test sign-in forms may be sent on to the
            // provider. A redirect shows no page (the next one gets its own policy), so it needs no lookup.
            var formTargets = context.Response.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true
                && context.Response.StatusCode is not (>= 300 and < 400)
                ? await ProviderOriginAsync(context.RequestAborted)
                : null;
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy(ScriptNonce.For(context), formTargets);
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Permissions-Policy"] = PermissionsPolicy;
        });
        return next(context);
    }

    /// <summary>
    /// default-src 'self' covers fonts, images and the rest. Scripts come only from the app (no
    /// 'unsafe-eval'), except the import map, allowed by its nonce. connect-src 'self' also allows
    /// the circuit's WebSocket to the same host and port (ws: or wss:, CSP Level 3). style-src needs
    /// 'unsafe-inline': MudBlazor writes inline style attributes (popover positions, Style=
    /// parameters) and MudThemeProvider a &lt;style&gt; element with the theme's variables, and
    /// Blazor's reconnection dialog adds its own styles. img-src allows data: URIs, which
    /// MudBlazor's stylesheet uses. form-action also names the single sign-on provider, because
    /// the sign-in and sign-out forms post here and are redirected there, and Chromium applies
    /// form-action to the redirect's target.
    /// </summary>
    public static string ContentSecurityPolicy(string nonce, string? formTargets) =>
        $"default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        + $"connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'{(formTargets is null ? "" : " " + formTargets)}; "
        + "frame-ancestors 'none'";

    /// <summary>
    /// The origin of the configured OpenID Connect provider, or null — switched on or not, since an
    /// administrator's test sign-in goes there before single sign-on is offered. Read
    /// from the stored settings, as the sign-in page does, so a change made by another process or
    /// the command line is in the policy of the next page.
    /// </summary>
    private async Task<string?> ProviderOriginAsync(CancellationToken cancellationToken)
    {
        try
        {
            return Uri.TryCreate(await oidcSettings.GetAuthorityAsync(cancellationToken), UriKind.Absolute, out var authority)
                && (authority.Scheme == Uri.UriSchemeHttps || authority.Scheme == Uri.UriSchemeHttp)
                    ? authority.GetLeftPart(UriPartial.Authority)
                    : null;
        }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or IOException or OperationCanceledException)
        {
            // The settings cannot be read (the health check reports why): forms post to this app only.
            logger.LogDebug("The single sign-on settings could not be read for form-action ({Exception})", e.GetType().Name);
            return null;
        }
    }
}
