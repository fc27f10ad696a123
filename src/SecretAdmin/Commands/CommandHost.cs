using Microsoft.Extensions.Logging.Console;
using SecretAdmin.Hosting;

namespace SecretAdmin.Commands;

/// <summary>
/// Runs one command inside the same services and start-up checks as the web app, so a command
/// refuses to act on a database whose keys cannot be loaded exactly as the web app does.
/// </summary>
internal static class CommandHost
{
    public static Task<int> RunAsync(Func<IServiceProvider, CancellationToken, Task<int>> command, CancellationToken cancellationToken) =>
        RunAsync(command, withoutKeys: false, cancellationToken);

    /// <param name="withoutKeys">For commands that report on the keys: go on when they cannot be loaded (every open then says why).</param>
    public static Task<int> RunAsync(Func<IServiceProvider, CancellationToken, Task<int>> command, bool withoutKeys, CancellationToken cancellationToken) =>
        RunAsync(first: null, command, withoutKeys, cancellationToken);

    /// <param name="first">
    /// Runs before the start-up, which migrates and writes, and so may wait behind another process's
    /// writes for as long as they go on: a command that must be refused at once decides it here,
    /// returning its exit code, or null to go on.
    /// </param>
    public static Task<int> RunAsync(Func<IServiceProvider, CancellationToken, Task<int?>> first, Func<IServiceProvider, CancellationToken, Task<int>> command, CancellationToken cancellationToken) =>
        RunAsync(first, command, withoutKeys: false, cancellationToken);

    private static async Task<int> RunAsync(Func<IServiceProvider, CancellationToken, Task<int?>>? first, Func<IServiceProvider, CancellationToken, Task<int>> command, bool withoutKeys, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });

        // Standard output belongs to the command's own results; log lines go to standard error.
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);

        // Colours are escape sequences, which standard error prints escaped (TerminalSafeWriter).
        builder.Logging.AddSimpleConsole(o => o.ColorBehavior = LoggerColorBehavior.Disabled);
        builder.Logging.AddFilter<ConsoleLoggerProvider>(level => level >= LogLevel.Warning);
        builder.AddSecretAdminCore();

        using var host = builder.Build();
        if (first is not null && await first(host.Services, cancellationToken) is { } refused)
        {
            return refused;
        }

        try
        {
            await host.Services.GetRequiredService<SecretAdminStartup>().PrepareAsync(cancellationToken, withoutKeys);
        }
        catch (StartupRefusedException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return StartupRefusedException.ExitCode;
        }

        return await command(host.Services, cancellationToken);
    }
}
