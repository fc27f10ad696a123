using SecretAdmin.Features.Settings;

namespace SecretAdmin.Features.Smtp;

public static class SmtpExtensions
{
    /// <summary>The SMTP settings (their password bound to its server) and the test mail.</summary>
    public static IServiceCollection AddSmtpSettings(this IServiceCollection services)
    {
        services.AddSingleton<SmtpSettingsService>();
        services.AddSingleton<IDestinationBoundSecret>(s => s.GetRequiredService<SmtpSettingsService>());
        return services;
    }
}
