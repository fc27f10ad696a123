using System.Diagnostics;

namespace SecretAdmin.Benchmarks.OpenLoop;

/// <summary>
/// Every latency of a run, kept whole (a few thousand to a few hundred thousand values) and sorted
/// once at the end: percentiles are exact nearest-rank values, not an HdrHistogram's buckets.
/// </summary>
internal sealed class LatencyRecorder
{
    private readonly List<long> _ticks = [];

    public void Add(long stopwatchTicks)
    {
        lock (_ticks)
        {
            _ticks.Add(stopwatchTicks);
        }
    }

    public LatencySummary Summarize()
    {
        long[] sorted;
        lock (_ticks)
        {
            sorted = [.. _ticks];
        }

        Array.Sort(sorted);
        return new LatencySummary(
            sorted.Length,
            Microseconds(Percentile(sorted, 50)),
            Microseconds(Percentile(sorted, 90)),
            Microseconds(Percentile(sorted, 99)),
            Microseconds(Percentile(sorted, 99.9)),
            Microseconds(sorted.Length == 0 ? 0 : sorted[^1]));
    }

    /// <summary>Nearest rank: the smallest value with at least <paramref name="percent"/>% of the values at or below it.</summary>
    private static long Percentile(long[] sorted, double percent) =>
        sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(percent / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static double Microseconds(long ticks) => ticks * 1e6 / Stopwatch.Frequency;
}
