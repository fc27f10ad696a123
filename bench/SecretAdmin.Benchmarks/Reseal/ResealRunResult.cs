namespace SecretAdmin.Benchmarks.Reseal;

/// <summary>
/// What one child process measured: one side, one copy of the seeded database. The second half is
/// the time from the batch that passed half the rows to the end: the run without its warm-up.
/// The load averages are the machine's 1-minute load (other processes share its two cores).
/// </summary>
internal sealed record ResealRunResult(
    string Side,
    int Rows,
    long Rewritten,
    double Seconds,
    double SecondHalfSeconds,
    long ResidentBeforeBytes,
    long PeakResidentBytes,
    long PeakManagedHeapBytes,
    long AllocatedBytes,
    bool ServerGc,
    double LoadAverageBefore,
    double LoadAverageAfter);
