using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;

namespace SecretAdmin.Features.Sso;

public static class SsoExtensions
{
    /// <summary>The OpenID Connect handler, with options built from the stored settings, and the single sign-on services.</summary>
    public static IHostApplicationBuilder AddSso(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<OidcSettingsSnapshot>();
        builder.Services.AddHostedService<OidcSettingsWarmUp>();
        builder.Services.AddSingleton<IConfigureOptions<OpenIdConnectOptions>, ConfigureOidcOptions>();
        builder.Services.AddScoped<OidcHandlerEvents>();
        builder.Services.AddScoped<SsoSignIn>();
        builder.Services.AddScoped<SsoSignOut>();
        builder.Services.AddSingleton<SsoTestRuns>();
        builder.Services.AddAuthentication().AddOpenIdConnect(SsoDefaults.Scheme, _ => { });
        // Registered after the handler, so it runs after the handler's own post-configuration.
        builder.Services.AddOptions<OpenIdConnectOptions>(SsoDefaults.Scheme)
            .PostConfigure<TimeProvider, ILogger<KeyRotationConfigurationManager>>(KeyRotationConfigurationManager.Use);
        builder.Services.AddHealthChecks().AddCheck<SsoHealthCheck>("sso");
        return builder;
    }

    public static WebApplication MapSso(this WebApplication app)
    {
        app.MapSsoEndpoints();
        return app;
    }
}
