using System.Diagnostics;
using SecretAdmin.Security;

namespace SecretAdmin.Features.Keys;

/// <summary>
/// Reads the data keys again when a value names a key this process does not hold, so a value another
/// node sealed right after a rotation opens here at once instead of reading as "unknown key" until the
/// next reload. At most once per key id every <see cref="PerKeyId"/>: a value naming a key that is
/// truly gone reads the database that often, not at every open.
/// </summary>
/// <remarks>
/// The sealer calls it synchronously, possibly inside its caller's transaction; the reload runs off
/// the caller's thread and is waited for at most <see cref="Wait"/>, and no longer than until the key
/// is loaded — the reload goes on reserving seals for the new active key, which may have to wait for
/// the caller's own write lock.
/// </remarks>
internal sealed class KeyRingRefresh(IServiceProvider services, ILogger<KeyRingRefresh> logger) : IKeyRingRefresh
{
    public static readonly TimeSpan PerKeyId = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    // Key ids are few; this bounds what a database full of made-up ids could make it remember.
    private const int RememberedKeyIds = 1024;

    private readonly Lock _lock = new();
    private readonly Dictionary<int, long> _lastTried = [];

    public void RefreshFor(int keyId)
    {
        // One refresh at a time: opens waiting here find the keys the first one loaded.
        lock (_lock)
        {
            var now = Stopwatch.GetTimestamp();
            if (_lastTried.TryGetValue(keyId, out var last) && Stopwatch.GetElapsedTime(last, now) < PerKeyId)
            {
                return;
            }

            if (_lastTried.Count >= RememberedKeyIds)
            {
                _lastTried.Clear();
            }

            _lastTried[keyId] = now;
            var sealer = services.GetRequiredService<SecretSealer>();
            var custody = services.GetRequiredService<KeyCustody>();
            var reload = Task.Run(() => custody.ReloadAsync(CancellationToken.None));
            var finished = Task.WhenAny(reload); // completes, never faults, when the reload ends either way
            var clock = Stopwatch.StartNew();
            while (!reload.IsCompleted && clock.Elapsed < Wait && sealer.LoadedKeyRing?.TryGetKey(keyId, out _) != true)
            {
                finished.Wait(TimeSpan.FromMilliseconds(20));
            }

            if (reload.IsFaulted)
            {
                logger.LogWarning("Reading the data keys for a value sealed with data key {KeyId} failed ({Exception}); the value reads as sealed with an unknown key.", keyId, reload.Exception?.InnerException?.GetType().Name);
            }
            else if (sealer.LoadedKeyRing?.TryGetKey(keyId, out _) == true)
            {
                logger.LogInformation("Data key {KeyId}, added by another process, was read on first use.", keyId);
            }
        }
    }
}
