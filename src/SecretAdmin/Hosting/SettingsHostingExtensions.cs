using SecretAdmin.Features.Keys;
using SecretAdmin.Features.Mfa;
using SecretAdmin.Features.Oidc;
using SecretAdmin.Features.Settings;
using SecretAdmin.Features.Smtp;

namespace SecretAdmin.Hosting;

internal static class SettingsHostingExtensions
{
    public static IHostApplicationBuilder AddSecretAdminSettings(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSecretAdminSettingsServices();
        return builder;
    }

    /// <summary>The OIDC, SMTP and MFA-policy services (needing the database, the sealer and the audit log).</summary>
    public static IServiceCollection AddSecretAdminSettingsServices(this IServiceCollection services)
    {
        services.AddSingleton<SettingsChangeNotifier>();
        services.AddSingleton<SettingsStore>();
        services.AddSingleton<OidcSettingsService>();
        services.AddSingleton<SmtpSettingsService>();
        services.AddSingleton<IDestinationBoundSecret>(s => s.GetRequiredService<OidcSettingsService>());
        services.AddSingleton<IDestinationBoundSecret>(s => s.GetRequiredService<SmtpSettingsService>());
        services.AddSingleton<MfaPolicyService>();
        services.AddSingleton<TotpStepLedger>();
        services.AddSingleton<MfaEnrollmentService>();
        services.AddSingleton<KeyRingSource>();
        services.AddSingleton<KeyLifecycleService>();
        services.AddHttpClient(OidcDiscoveryChecker.HttpClientName, client => client.Timeout = OidcDiscoveryChecker.Timeout);
        services.AddSingleton<OidcDiscoveryChecker>();
        return services;
    }
}
