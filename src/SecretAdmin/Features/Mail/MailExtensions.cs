using Microsoft.Extensions.DependencyInjection.Extensions;

namespace SecretAdmin.Features.Mail;

public static class MailExtensions
{
    /// <summary>
    /// Queuing mail in a change's transaction, for the web app and the command line alike; each group
    /// of services whose changes queue mail adds it, so it is registered once however many do.
    /// </summary>
    public static IServiceCollection AddMailOutbox(this IServiceCollection services)
    {
        services.AddOptions<MailOptions>();
        services.AddOptions<MailLinkOptions>();
        services.TryAddSingleton<MailLinks>();
        services.TryAddSingleton<MailAvailability>();
        services.TryAddSingleton<OutboxSignal>();
        services.TryAddSingleton<OutboxMonitor>();
        services.TryAddSingleton<MailOutbox>();
        services.TryAddSingleton<OutboxQueries>();
        return services;
    }

    /// <summary>For the web app: the sender that delivers the outbox on each node.</summary>
    public static IHostApplicationBuilder AddMailSender(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<MailOptions>(builder.Configuration.GetSection(MailOptions.Section));
        builder.Services.Configure<MailLinkOptions>(builder.Configuration.GetSection(MailLinkOptions.Section));
        builder.Services.AddSingleton<OutboxSender>();
        builder.Services.AddHostedService(services => services.GetRequiredService<OutboxSender>());
        return builder;
    }
}
