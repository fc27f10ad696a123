namespace SecretAdmin.Security;

/// <summary>
/// How many more seals a data key may make (NIST SP 800-38D §8.3: with random 96-bit nonces, at most
/// 2^32 per key; the configured limit is far below). Seals are counted durably before they are made.
/// </summary>
public interface ISealAllowance
{
    /// <summary>
    /// Makes seals of key <paramref name="keyId"/> ready before they are needed (where no transaction
    /// is open), rolling over at once when the key has reached its limit.
    /// </summary>
    void Prime(int keyId);

    /// <summary>Takes one seal of key <paramref name="keyId"/>; false when the key has reached its limit.</summary>
    bool TryTake(int keyId);

    /// <summary>After key <paramref name="keyId"/> reached its limit: the key ring with a newer active key.</summary>
    /// <exception cref="MasterKeyUnavailableException">No new key can be made: the master key is unavailable.</exception>
    KeyRing Roll(int keyId);
}
