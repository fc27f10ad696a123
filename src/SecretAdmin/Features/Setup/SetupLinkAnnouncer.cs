using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using SecretAdmin.Features.Users;

namespace SecretAdmin.Features.Setup;

/// <summary>
/// Once the web app listens and while no administrator exists, prints the one-time setup link
/// on the console (standard output, not the log).
/// </summary>
internal sealed class SetupLinkAnnouncer(
    IHostApplicationLifetime lifetime,
    IServer server,
    UserAdminService users,
    SetupToken setupToken,
    ILogger<SetupLinkAnnouncer> logger) : IHostedService
{
    public const string SetupPath = "/setup";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() => _ = AnnounceAsync());
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task AnnounceAsync()
    {
        try
        {
            if (await users.AnyAdminExistsAsync(lifetime.ApplicationStopping))
            {
                return;
            }

            var token = setupToken.Issue();
            var link = $"{BaseAddress()}{SetupPath}?token={token}";
            await Console.Out.WriteLineAsync(
                $"""

                No administrator exists yet. Open this one-time link to create the first one:

                    {link}

                It works until an administrator exists; each start prints a new one. Or run: SecretAdmin admin create --email <email> --password-stdin

                """);
            await Console.Out.FlushAsync();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Could not check for an administrator to print the setup link.");
        }
    }

    private string BaseAddress()
    {
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://localhost";
        return address
            .Replace("://+", "://localhost", StringComparison.Ordinal)
            .Replace("://*", "://localhost", StringComparison.Ordinal)
            .Replace("://0.0.0.0", "://localhost", StringComparison.Ordinal)
            .Replace("://[::]", "://localhost", StringComparison.Ordinal)
            .TrimEnd('/');
    }
}
