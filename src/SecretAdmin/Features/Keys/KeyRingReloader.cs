namespace SecretAdmin.Features.Keys;

/// <summary>
/// In the web app: every few seconds, takes up the data keys other processes added or retired and
/// checks the master key still answers (<see cref="KeyCustody.ReloadAsync"/>) — so a rotation reaches
/// this process without a restart, and a removed token stops every seal and open here.
/// </summary>
internal sealed class KeyRingReloader(KeyCustody custody, ILogger<KeyRingReloader> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await custody.ReloadAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The keys in use stay; the next turn tries again.
                logger.LogError("Reading the data keys failed ({Exception}); the keys in use stay", e.GetType().Name);
            }
        }
    }
}
