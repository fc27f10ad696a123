namespace SecretAdmin.Features.Keys;

/// <summary>
/// One re-seal or import run, wherever it was started (a page, another tab, the command line):
/// its progress is written in the same transaction as each batch, so what it says is what is done.
/// </summary>
public sealed class KeyOperation
{
    public const string Reseal = "reseal";
    public const string ImportPlaintext = "import-plaintext";

    /// <summary>The <see cref="Failure"/> of a run whose process died mid-run, closed by the next run, which carried on from it.</summary>
    public const string Interrupted = "Interrupted";

    public long Id { get; set; }

    public string Kind { get; set; } = Reseal;

    public string StartedBy { get; set; } = "";

    public DateTime StartedAtUtc { get; set; }

    public DateTime UpdatedAtUtc { get; set; }

    public DateTime? FinishedAtUtc { get; set; }

    public long Done { get; set; }

    public long Total { get; set; }

    public long Unreadable { get; set; }

    /// <summary>Set when the run stopped on an error (its kind, never a value), or <see cref="Interrupted"/>.</summary>
    public string? Failure { get; set; }
}

public enum KeyOperationState
{
    Running,
    Finished,
    Failed,

    /// <summary>
    /// Stopped before it finished, its process gone: no progress for a while, or closed by a later run
    /// that carried on from its last committed batch.
    /// </summary>
    Interrupted,
}

/// <summary>A run as the keys page shows it.</summary>
public sealed record KeyOperationView(
    long Id, string Kind, string StartedBy, DateTime StartedAtUtc, DateTime UpdatedAtUtc, DateTime? FinishedAtUtc,
    long Done, long Total, long Unreadable, KeyOperationState State, string? Failure)
{
    public double Percent => Total == 0 ? 100 : Math.Min(100, 100.0 * (Done + Unreadable) / Total);

    /// <summary>Values per second over the run so far.</summary>
    public double PerSecond
    {
        get
        {
            var seconds = ((FinishedAtUtc ?? UpdatedAtUtc) - StartedAtUtc).TotalSeconds;
            return seconds > 0 ? Done / seconds : 0;
        }
    }
}
