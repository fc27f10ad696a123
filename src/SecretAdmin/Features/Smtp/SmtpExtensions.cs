using SecretAdmin.Features.Settings;

namespace SecretAdmin.Features.Smtp;

public static class SmtpExtensions
{
    /// <summary>The SMTP settings (each secret bound to where it authenticates), the OAuth token client and the test mail.</summary>
    public static IServiceCollection AddSmtpSettings(this IServiceCollection services)
    {
        services.AddSingleton<SmtpSettingsService>();
        services.AddSingleton<OAuth.OAuthTokenClient>();
        services.AddHttpClient(OAuth.OAuthTokenClient.HttpClientName, client => client.Timeout = OAuth.OAuthTokenClient.Timeout);
        services.AddSingleton<IDestinationBoundSecret>(s => s.GetRequiredService<SmtpSettingsService>());
        return services;
    }
}
