using SecretAdmin.Security;

namespace SecretAdmin.Features.Keys;

/// <summary>
/// In the web app: notices when the key-ring file is replaced by another process (a rotation or
/// retirement from the command line) and loads the new ring, so this process opens values sealed
/// with the new key and seals with it too — without a restart.
/// </summary>
internal sealed class KeyRingReloader(KeyRingSource source, SecretSealer sealer, ILogger<KeyRingReloader> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (source.FromEnvironment)
        {
            return;
        }

        var seen = source.File.Exists ? source.File.LastWriteUtc : DateTime.MinValue;
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (!source.File.Exists || source.File.LastWriteUtc == seen)
            {
                continue;
            }

            seen = source.File.LastWriteUtc;
            try
            {
                var ring = source.Read();
                sealer.Use(ring);
                logger.LogInformation("Loaded the replaced key ring: active key {KeyId}, {Count} key(s)", ring.Active.Id, ring.Keys.Count);
            }
            catch (Exception e) when (e is KeyRingFormatException or IOException or UnauthorizedAccessException)
            {
                // The ring in use stays; the health check reports the file's problem.
                logger.LogError("The replaced key ring file cannot be read ({Exception}); the key ring in use stays", e.GetType().Name);
            }
        }
    }
}
