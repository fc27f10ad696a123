using SecretAdmin.Benchmarks.SignInLoad;

namespace SecretAdmin.Benchmarks.SignInEngines;

/// <summary>
/// One configuration's measured second-factor run: two wrk processes side by side (one per node, or
/// both on the one node), their throughputs summed, their latencies the worse of the two.
/// </summary>
internal sealed record EngineLoadResult(string Configuration, bool OneNode, WrkResult First, WrkResult Second)
{
    /// <summary>"direct", or "haproxy (TLS)" when the requests went through haproxy.</summary>
    public string Front { get; init; } = "direct";

    /// <summary>haproxy's CPU time during the run; null without it.</summary>
    public double? FrontCpuSeconds { get; init; }

    /// <summary>The throw-away PostgreSQL server's CPU time during the run (all its processes); null on SQLite or a server of one's own.</summary>
    public double? DatabaseCpuSeconds { get; init; }

    /// <summary>The second-factor POSTs per haproxy server line, from haproxy's log; null without haproxy.</summary>
    public IReadOnlyDictionary<string, long>? ServedBy { get; init; }

    public double RequestsPerSecond => First.RequestsPerSecond + Second.RequestsPerSecond;

    public long Requests => First.Requests + Second.Requests;

    public double P50Microseconds => Math.Max(First.P50Microseconds, Second.P50Microseconds);

    public double P99Microseconds => Math.Max(First.P99Microseconds, Second.P99Microseconds);

    /// <summary>The app's CPU time during the run: the one node's (each wrk process measured it over the same time), or both nodes'.</summary>
    public double AppCpuSeconds => OneNode ? Math.Max(First.AppCpu.ProcessSeconds, Second.AppCpu.ProcessSeconds) : First.AppCpu.ProcessSeconds + Second.AppCpu.ProcessSeconds;

    /// <summary>The whole machine's busy share during the run (the PostgreSQL server, wrk and everything else included).</summary>
    public double MachineBusy => First.AppCpu.MachineBusySeconds / First.AppCpu.MachineTotalSeconds;

    public long Errors => First.Errors + Second.Errors;

    public long Reused => First.Reused + Second.Reused;

    public long Stale => First.Stale + Second.Stale;

    public double LoadAverageBefore => Math.Min(First.LoadAverageBefore, Second.LoadAverageBefore);

    public double LoadAverageAfter => Math.Max(First.LoadAverageAfter, Second.LoadAverageAfter);
}
