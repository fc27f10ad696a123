namespace SecretAdmin.Benchmarks.OpenLoop;

/// <summary>
/// One load run. <see cref="Latency"/> is measured from each request's scheduled start in an
/// open loop (so a stall delays every request scheduled during it, as users would see it), and from
/// its actual start in a closed loop. <see cref="Throughput"/> counts the answers that arrived
/// within the measured window (<see cref="WindowSeconds"/>).
/// </summary>
internal sealed record LoadResult(
    string Name,
    string Mode,
    double? OfferedRate,
    double WindowSeconds,
    long AnsweredInWindow,
    long Sent,
    long NotSent,
    bool RanOut,
    long Succeeded,
    long Refused,
    long Failed,
    long Exceptions,
    IReadOnlyDictionary<int, long> Statuses,
    LatencySummary Latency,
    LatencySummary? DispatchLag)
{
    public DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset EndedAt { get; init; }

    public double AppCpuSeconds { get; init; }

    public double DriverCpuSeconds { get; init; }

    public double MachineBusySeconds { get; init; }

    public double MachineTotalSeconds { get; init; }

    public double LoadAverageBefore { get; init; }

    public double LoadAverageAfter { get; init; }

    public double Throughput => AnsweredInWindow / WindowSeconds;

    /// <summary>Every request sent that did not succeed, and every request scheduled that could not be sent.</summary>
    public long Errors => (Sent - Succeeded) + NotSent;

    public double AppCpuMicrosecondsPerRequest => Sent == 0 ? 0 : AppCpuSeconds * 1e6 / Sent;
}
