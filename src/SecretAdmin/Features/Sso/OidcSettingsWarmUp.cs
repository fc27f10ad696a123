using SecretAdmin.Hosting;

namespace SecretAdmin.Features.Sso;

/// <summary>Reads the OIDC settings once the database is ready and before the web app serves (see <see cref="OidcSettingsSnapshot"/>).</summary>
internal sealed class OidcSettingsWarmUp(SecretAdminStartup startup, OidcSettingsSnapshot snapshot) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // The database is migrated first, whichever hosted service starts first.
        await startup.PrepareAsync(cancellationToken);
        await snapshot.RefreshAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
