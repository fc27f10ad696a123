namespace SecretAdmin.Features.Keys;

/// <summary>
/// A data key: the AES-256 key envelopes name by <see cref="Id"/>, stored wrapped by the master key.
/// The one with the highest id is active for new seals.
/// </summary>
public sealed class DataKey
{
    public int Id { get; set; }

    public DateTime CreatedAtUtc { get; set; }

    /// <summary>The key wrapped by the master key (nonce ‖ ciphertext ‖ tag), its id and purpose bound as associated data.</summary>
    public required byte[] Wrapped { get; set; }

    /// <summary>The id of the master key that wrapped it (<see cref="Security.IMasterKey.Id"/>), to say which one is needed.</summary>
    public required string MasterKeyId { get; set; }

    /// <summary>Seals made with this key, counted in reserved blocks: never fewer than were made.</summary>
    public long Seals { get; set; }
}
