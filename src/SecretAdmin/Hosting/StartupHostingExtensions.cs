namespace SecretAdmin.Hosting;

internal static class StartupHostingExtensions
{
    /// <summary>Registers the start-up checks; in the web app they run before the server accepts requests.</summary>
    public static IHostApplicationBuilder AddSecretAdminStartup(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<SecretAdminStartup>();
        return builder;
    }

    public static IHostApplicationBuilder AddSecretAdminStartupBeforeServing(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHostedService<StartupHostedService>();
        return builder;
    }

    /// <summary>
    /// Prepares, then runs the web app. A refused start-up, or a start-up setting that is not valid,
    /// prints its message and exits with <see cref="StartupRefusedException.ExitCode"/> before anything listens.
    /// </summary>
    public static async Task<int> RunSecretAdminAsync(this WebApplication app)
    {
        try
        {
            await app.Services.GetRequiredService<SecretAdminStartup>().PrepareAsync(app.Lifetime.ApplicationStopping);
        }
        catch (StartupRefusedException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return StartupRefusedException.ExitCode;
        }

        try
        {
            await app.RunAsync();
        }
        catch (Microsoft.Extensions.Options.OptionsValidationException e)
        {
            // A start-up setting that is not valid, such as ForwardedHeaders:KnownProxies: one line each, what to fix.
            await Console.Error.WriteLineAsync(string.Join(Environment.NewLine, e.Failures));
            return StartupRefusedException.ExitCode;
        }

        return 0;
    }

    /// <summary>Prepares a host that is started without <see cref="RunSecretAdminAsync"/>, such as a test host.</summary>
    private sealed class StartupHostedService(SecretAdminStartup startup) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => startup.PrepareAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
