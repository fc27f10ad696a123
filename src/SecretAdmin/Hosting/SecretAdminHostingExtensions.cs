namespace SecretAdmin.Hosting;

/// <summary>The two calls Program.cs makes: every concern's Add… and Map…, in order.</summary>
public static class SecretAdminHostingExtensions
{
    public static IHostApplicationBuilder AddSecretAdmin(this IHostApplicationBuilder builder)
    {
        builder.AddSecretAdminCore();
        builder.AddSecretAdminStartupBeforeServing();
        builder.AddSecretAdminSignIn();
        builder.AddSecretAdminSso();
        builder.AddSecretAdminKeys();
        builder.AddSecretAdminSetup();
        builder.AddSecretAdminUi();
        return builder;
    }

    /// <summary>What the web app and the command line share: data folder, database, sealing, start-up and health checks.</summary>
    public static IHostApplicationBuilder AddSecretAdminCore(this IHostApplicationBuilder builder)
    {
        builder.AddSecretAdminDefaults();
        builder.AddSecretAdminData();
        builder.AddSecretAdminSealing();
        builder.AddSecretAdminUsers();
        builder.AddSecretAdminSettings();
        builder.AddSecretAdminStartup();
        builder.AddSecretAdminHealth();
        return builder;
    }

    public static WebApplication MapSecretAdmin(this WebApplication app)
    {
        app.UseSecretAdminUiBasics();
        app.UseSecretAdminSignIn();
        app.MapSecretAdminHealth();
        app.MapSecretAdminSignIn();
        app.MapSecretAdminSso();
        app.MapSecretAdminUi();
        return app;
    }
}
