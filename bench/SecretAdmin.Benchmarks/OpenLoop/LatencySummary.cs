namespace SecretAdmin.Benchmarks.OpenLoop;

/// <summary>Latency percentiles of a run, in microseconds.</summary>
internal sealed record LatencySummary(int Count, double P50, double P90, double P99, double P999, double Max);
