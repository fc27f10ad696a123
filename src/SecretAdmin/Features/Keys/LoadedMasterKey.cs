using SecretAdmin.Security;

namespace SecretAdmin.Features.Keys;

/// <summary>
/// The master key this process loaded at start (from <see cref="MasterKeySource"/>), for what wraps
/// or unwraps with it later: the session keys, a rotation. Unavailable — with the reason — until
/// loaded, or after the key stopped answering (a token removed).
/// </summary>
public sealed class LoadedMasterKey
{
    private volatile IMasterKey? _key;
    private volatile string _unavailable = "the master key has not been loaded; start-up did not complete";

    public bool IsAvailable => _key is not null;

    /// <summary>Why the master key cannot be used, or null when it can.</summary>
    public string? Unavailable => _key is null ? _unavailable : null;

    /// <exception cref="MasterKeyUnavailableException">No master key is loaded or it stopped answering.</exception>
    public IMasterKey Current => _key ?? throw new MasterKeyUnavailableException(_unavailable);

    public void Use(IMasterKey key)
    {
        var previous = Interlocked.Exchange(ref _key, key);
        if (previous is not null && !ReferenceEquals(previous, key))
        {
            previous.Dispose();
        }
    }

    /// <summary>Stops every use of the master key until it is loaded again, saying why.</summary>
    public void MarkUnavailable(string reason)
    {
        _unavailable = reason;
        Interlocked.Exchange(ref _key, null)?.Dispose();
    }
}
