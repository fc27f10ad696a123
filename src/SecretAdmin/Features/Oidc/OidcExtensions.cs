using SecretAdmin.Features.Settings;

namespace SecretAdmin.Features.Oidc;

public static class OidcExtensions
{
    /// <summary>The OIDC settings (their client secret bound to its provider) and the discovery check.</summary>
    public static IServiceCollection AddOidcSettings(this IServiceCollection services)
    {
        services.AddSingleton<OidcSettingsService>();
        services.AddSingleton<IDestinationBoundSecret>(s => s.GetRequiredService<OidcSettingsService>());
        services.AddHttpClient(OidcDiscoveryChecker.HttpClientName, client => client.Timeout = OidcDiscoveryChecker.Timeout);
        services.AddSingleton<OidcDiscoveryChecker>();
        return services;
    }
}
