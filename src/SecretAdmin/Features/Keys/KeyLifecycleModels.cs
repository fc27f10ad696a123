namespace SecretAdmin.Features.Keys;

/// <summary>
/// A data key (or a key id stored values name but the database lacks): how many stored values it
/// seals, and how many seals it has made (counted in reserved blocks, never fewer than made).
/// </summary>
public sealed record KeyInfo(int Id, DateTimeOffset? CreatedUtc, bool Active, bool InDatabase, long SealedValues, long Seals);

/// <summary>The outcome of a key change that can be refused: done, or why not.</summary>
public sealed record KeyChangeResult(bool Succeeded, string Message);

/// <summary>A rotation: the new active data key's id.</summary>
public sealed record RotationResult(int NewKeyId)
{
    public override string ToString() => $"data key {NewKeyId} active";
}

/// <summary>A master-key rotation: the key before and after, how many keys were re-wrapped, and where the new one is.</summary>
public sealed record MasterRotationResult(string PreviousId, string NewId, int Rewrapped, MasterKeySourceKind Source);

/// <summary>The master key as pages and health show it: where it is and its id, or why it is unavailable.</summary>
public sealed record MasterKeyInfo(MasterKeySourceKind Kind, string Source, string? Id, string? Unavailable);

/// <summary>How far a re-seal or an import has come: values done of those to do, those that cannot be opened, and the rate.</summary>
public sealed record SealingProgress(long Done, long Total, long Unreadable, double PerSecond)
{
    public double Percent => Total == 0 ? 100 : Math.Min(100, 100.0 * (Done + Unreadable) / Total);
}

public enum SealedValueState
{
    Opens,

    /// <summary>Sealed under a data key id the database does not hold.</summary>
    KeyMissing,

    /// <summary>Not opened: the master key is unavailable, so no data key is loaded.</summary>
    MasterKeyUnavailable,

    /// <summary>Altered, moved, malformed, or sealed with another key of the same id.</summary>
    DoesNotOpen,

    /// <summary>Not an envelope at all: a legacy plaintext value waiting for import.</summary>
    Plaintext,
}

public sealed record VerifyEntry(string Table, string Column, int? KeyId, SealedValueState State, long Count);

public sealed record VerifyReport(IReadOnlyList<VerifyEntry> Entries)
{
    public bool AllOpen => Entries.All(e => e.State == SealedValueState.Opens);

    public long Count(SealedValueState state) => Entries.Where(e => e.State == state).Sum(e => e.Count);
}
