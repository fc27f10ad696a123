namespace SecretAdmin.Features.Keys;

/// <summary>A key of the ring (or a key id stored values name but the ring lacks), and how many stored values it seals.</summary>
public sealed record KeyInfo(int Id, DateTimeOffset? CreatedUtc, bool Active, bool InKeyRing, long SealedValues);

/// <summary>
/// A rotation: the new active key's id, and the new ring. When the ring comes from the
/// environment it is not written anywhere; the caller may print it only when asked.
/// </summary>
public sealed record RotationResult(int NewKeyId, bool WrittenToFile, string KeyRingJson)
{
    public override string ToString() => $"key {NewKeyId} active{(WrittenToFile ? "" : " (not written: the key ring comes from the environment)")}";
}

/// <summary>How far a re-seal or an import has come: values done of those to do, those that cannot be opened, and the rate.</summary>
public sealed record SealingProgress(long Done, long Total, long Unreadable, double PerSecond)
{
    public double Percent => Total == 0 ? 100 : Math.Min(100, 100.0 * (Done + Unreadable) / Total);
}

public enum SealedValueState
{
    Opens,

    /// <summary>Sealed under a key id the key ring does not hold.</summary>
    KeyMissing,

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
