using Microsoft.Extensions.Options;
using SecretAdmin.Security;

namespace SecretAdmin.Features.Keys;

/// <summary>
/// Counts seals per data key durably: a block of seals is reserved in the database before the first
/// of them is made, so a crash loses at most unused reservations and never under-counts. When a key
/// reaches <see cref="SealingOptions.SealsPerDataKey"/>, a new data key is made active.
/// </summary>
/// <remarks>
/// A seal is often made inside a transaction that holds the database's write lock (a settings save),
/// where a reservation of its own would wait for that very lock. So the block is reserved ahead: when
/// a key is loaded (<see cref="Prime"/>), and again in the background once half of it is used. Only a
/// key that used up its block before the next one arrived reserves while sealing. Each block of a key
/// is twice the one before, up to <see cref="MaxBlockFactor"/> times the first, so a re-seal of a
/// million values takes a few reservations, not a thousand, while a process that seals now and then
/// (a command, a settings save) reserves only the first.
/// </remarks>
public sealed class SealAllowance(DataKeyStore store, IServiceProvider services, IOptions<SealingOptions> options, ILogger<SealAllowance> logger) : ISealAllowance, IDisposable
{
    /// <summary>How long disposing waits for a reservation under way.</summary>
    private static readonly TimeSpan RefillWait = TimeSpan.FromSeconds(30);

    private readonly Lock _lock = new();
    private readonly Dictionary<int, long> _left = [];
    private readonly Dictionary<int, Task> _refills = [];
    private readonly Dictionary<int, long> _nextBlock = [];
    private readonly Dictionary<int, long> _lastBlock = [];

    /// <summary>How far a key's blocks grow: at most this many times <see cref="SealingOptions.SealReservationBlock"/>.</summary>
    public const int MaxBlockFactor = 64;

    private long Block => Math.Clamp(options.Value.SealReservationBlock, 1, Limit);

    private long MaxBlock => Math.Min(Limit, Block * MaxBlockFactor);

    private long Limit => Math.Max(1, options.Value.SealsPerDataKey);

    /// <summary>Reserves a first block for <paramref name="keyId"/> unless this process holds one; a key at its limit is rolled over now.</summary>
    public void Prime(int keyId)
    {
        lock (_lock)
        {
            if (_left.GetValueOrDefault(keyId) > 0)
            {
                return;
            }
        }

        if (Reserve(keyId) == 0)
        {
            Roll(keyId);
        }
    }

    public bool TryTake(int keyId)
    {
        long left;
        lock (_lock)
        {
            left = _left.GetValueOrDefault(keyId);
        }

        if (left == 0)
        {
            // Used up before the next block arrived: reserve now.
            Reserve(keyId);
        }

        lock (_lock)
        {
            left = _left.GetValueOrDefault(keyId);
            if (left == 0)
            {
                return false;
            }

            _left[keyId] = --left;
            if (left < _lastBlock.GetValueOrDefault(keyId, Block) / 2 && !_refills.ContainsKey(keyId))
            {
                // Removed by the refill itself, which takes this lock: never before it is added.
                _refills[keyId] = Task.Run(() => Refill(keyId));
            }

            return true;
        }
    }

    // The custody needs the sealer, which needs this: it is looked up when a key first reaches its limit.
    public KeyRing Roll(int keyId) => services.GetRequiredService<KeyCustody>().Roll(keyId);

    private long Reserve(int keyId)
    {
        long block;
        lock (_lock)
        {
            block = _nextBlock.GetValueOrDefault(keyId, Block);
        }

        var granted = store.Reserve(keyId, block, Limit);
        lock (_lock)
        {
            _left[keyId] = _left.GetValueOrDefault(keyId) + granted;
            _lastBlock[keyId] = block;
            _nextBlock[keyId] = Math.Min(block * 2, MaxBlock);
        }

        return granted;
    }

    private void Refill(int keyId)
    {
        try
        {
            // At its limit: the next key is made active now, not by a seal inside someone's transaction.
            if (Reserve(keyId) == 0)
            {
                Roll(keyId);
            }
        }
        catch (Exception e)
        {
            // The next seal that finds the block used up reserves for itself.
            logger.LogWarning("Reserving seals of data key {KeyId} failed ({Exception}); trying again when needed", keyId, e.GetType().Name);
        }
        finally
        {
            lock (_lock)
            {
                _refills.Remove(keyId);
            }
        }
    }

    /// <summary>
    /// Waits for the background reservations under way, so none reaches the database after the
    /// services it uses are gone (the process stopping, a command ending).
    /// </summary>
    public void Dispose()
    {
        Task[] running;
        lock (_lock)
        {
            running = [.. _refills.Values];
        }

        if (!Task.WaitAll(running, RefillWait))
        {
            logger.LogWarning("A reservation of seals was still under way after {Seconds} s; stopping without it", RefillWait.TotalSeconds);
        }
    }
}
