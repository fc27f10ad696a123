using Microsoft.Extensions.Options;
using SecretAdmin.Security;

namespace SecretAdmin.Features.Keys;

/// <summary>
/// Counts seals per data key durably: a block of seals is reserved in the database before the first
/// of them is made, so a crash loses at most unused reservations and never under-counts. When a key
/// reaches <see cref="SealingOptions.SealsPerDataKey"/>, a new data key is made active.
/// </summary>
public sealed class SealAllowance(DataKeyStore store, IServiceProvider services, IOptions<SealingOptions> options) : ISealAllowance
{
    private readonly Lock _lock = new();
    private readonly Dictionary<int, long> _reserved = [];

    public bool TryTake(int keyId)
    {
        lock (_lock)
        {
            var left = _reserved.GetValueOrDefault(keyId);
            if (left == 0)
            {
                left = store.Reserve(keyId, Math.Max(1, options.Value.SealReservationBlock), Math.Max(1, options.Value.SealsPerDataKey));
                if (left == 0)
                {
                    return false;
                }
            }

            _reserved[keyId] = left - 1;
            return true;
        }
    }

    // The custody needs the sealer, which needs this: it is looked up when a key first reaches its limit.
    public KeyRing Roll(int keyId) => services.GetRequiredService<KeyCustody>().Roll(keyId);
}
