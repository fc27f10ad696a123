namespace SecretAdmin.Features.Setup;

public static class SetupExtensions
{
    /// <summary>The one-time link that creates the first administrator, printed while there is none.</summary>
    public static IHostApplicationBuilder AddSetup(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<SetupToken>();
        builder.Services.AddHostedService<SetupLinkAnnouncer>();
        return builder;
    }
}
