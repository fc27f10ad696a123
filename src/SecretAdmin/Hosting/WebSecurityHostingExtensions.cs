using System.Net;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace SecretAdmin.Hosting;

/// <summary>
/// What the web surface does for every request: believe forwarded headers from known proxies
/// only, send the security headers, HSTS over https outside Development, mark cookies Secure over
/// https, limit request bodies, and answer a bad request with its status code rather than 500.
/// </summary>
internal static class WebSecurityHostingExtensions
{
    /// <summary>The largest request body accepted: the app's forms are small, and the circuit uses a WebSocket.</summary>
    public const long MaxRequestBodyBytes = 1024 * 1024;

    public static IHostApplicationBuilder AddSecretAdminWebSecurity(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ForwardedHeadersSettings>()
            .BindConfiguration(ForwardedHeadersSettings.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<ForwardedHeadersOptions>()
            .Configure<IOptions<ForwardedHeadersSettings>>((options, settings) => TrustProxies(options, settings.Value));

        builder.Services.AddHsts(options => options.MaxAge = TimeSpan.FromDays(365));
        builder.Services.Configure<CookiePolicyOptions>(options => options.Secure = CookieSecurePolicy.SameAsRequest);
        builder.Services.Configure<AntiforgeryOptions>(options => options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest);

        builder.Services.Configure<KestrelServerOptions>(options => options.Limits.MaxRequestBodySize = MaxRequestBodyBytes);
        builder.Services.Configure<FormOptions>(options =>
        {
            options.MultipartBodyLengthLimit = MaxRequestBodyBytes;
            options.ValueLengthLimit = (int)MaxRequestBodyBytes;
        });
        return builder;
    }

    /// <summary>First in the pipeline: the forwarded scheme and address, then headers, HSTS and the cookie policy that depend on them.</summary>
    public static WebApplication UseSecretAdminWebSecurity(this WebApplication app)
    {
        app.UseForwardedHeaders();
        app.UseMiddleware<SecurityHeadersMiddleware>();
        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts();
        }

        app.UseCookiePolicy();
        return app;
    }

    /// <summary>Just inside the status-code pages: the page for browsers, a text for other clients.</summary>
    public static WebApplication UseSecretAdminStatusResponses(this WebApplication app)
    {
        app.UseMiddleware<StatusResponseMiddleware>();
        return app;
    }

    /// <summary>After routing, before anything reads a posted form.</summary>
    public static WebApplication UseSecretAdminRequestBodyGuard(this WebApplication app)
    {
        app.UseMiddleware<RequestBodyGuardMiddleware>();
        return app;
    }

    /// <summary>After antiforgery validation, before the endpoints.</summary>
    public static WebApplication UseSecretAdminAntiforgeryRejection(this WebApplication app)
    {
        app.UseMiddleware<AntiforgeryRejectionMiddleware>();
        return app;
    }

    private static void TrustProxies(ForwardedHeadersOptions options, ForwardedHeadersSettings settings)
    {
        // Not X-Forwarded-Host: a proxy passes the Host header through, and a forwarded host from
        // elsewhere would change the single sign-on callback address the provider is sent.
        options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        if (settings.KnownProxies.Count == 0 && settings.KnownNetworks.Count == 0)
        {
            options.KnownIPNetworks.Add(new System.Net.IPNetwork(IPAddress.Loopback, 8));
            options.KnownProxies.Add(IPAddress.IPv6Loopback);
            return;
        }

        foreach (var proxy in settings.KnownProxies)
        {
            options.KnownProxies.Add(IPAddress.Parse(proxy));
        }

        foreach (var network in settings.KnownNetworks)
        {
            options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
        }
    }
}
