using System.Globalization;
using System.Text.RegularExpressions;

namespace SecretAdmin.Benchmarks.SignInLoad;

/// <summary>
/// One wrk run as its script reported it (latencies in microseconds, wrk's own error counts, the
/// script's counts of successes, refusals and other answers), with the CPU time the app, wrk and
/// the whole machine used meanwhile.
/// </summary>
internal sealed partial record WrkResult(
    string Name,
    long Requests,
    double DurationSeconds,
    long ConnectErrors,
    long ReadErrors,
    long WriteErrors,
    long Timeouts,
    double P50Microseconds,
    double P90Microseconds,
    double P99Microseconds,
    double P999Microseconds,
    double MaxMicroseconds,
    long Sent,
    long Succeeded,
    long Refused,
    long Failed,
    long Reused,
    long Stale,
    long NextStepCodes,
    IReadOnlyList<StepUse> Steps,
    IReadOnlyDictionary<long, long> UsersByLastStep,
    IReadOnlyDictionary<int, long> Statuses)
{
    public DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset EndedAt { get; init; }

    public double LoadAverageBefore { get; init; }

    public double LoadAverageAfter { get; init; }

    public CpuTimes AppCpu { get; init; } = new(0, 0, 0);

    public double WrkCpuSeconds { get; init; }

    public double RequestsPerSecond => Requests / DurationSeconds;

    public long SocketErrors => ConnectErrors + ReadErrors + WriteErrors + Timeouts;

    /// <summary>Socket errors and every completed response that was not a success.</summary>
    public long Errors => SocketErrors + (Requests - Succeeded);

    /// <summary>Parses the script's lines; throws when the result line is missing (wrk or the script failed).</summary>
    public static WrkResult Parse(string name, string output)
    {
        var lines = output.Split('\n');
        var line = lines.FirstOrDefault(l => l.StartsWith("P3-RESULT ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"wrk printed no P3-RESULT line for {name}:{Environment.NewLine}{output}");
        var values = Pairs(line);
        var steps = Tagged(lines, "P3-USED ")
            .Select(v => new StepUse((int)v["thread"], (long)v["step"], (long)v["used"], (long)v["next"], (long)v["available"]))
            .ToArray();
        var lastSteps = Tagged(lines, "P3-LAST ")
            .GroupBy(v => (long)v["step"])
            .ToDictionary(g => g.Key, g => g.Sum(v => (long)v["users"]));
        var statuses = Tagged(lines, "P3-STATUS ")
            .GroupBy(v => (int)v["status"])
            .ToDictionary(g => g.Key, g => g.Sum(v => (long)v["count"]));
        return new WrkResult(
            name,
            (long)values["requests"],
            values["duration_us"] / 1e6,
            (long)values["connect"],
            (long)values["read"],
            (long)values["write"],
            (long)values["timeout"],
            values["p50_us"],
            values["p90_us"],
            values["p99_us"],
            values["p999_us"],
            values["max_us"],
            (long)values["sent"],
            (long)values["succeeded"],
            (long)values["refused"],
            (long)values["failed"],
            (long)values["reused"],
            (long)values["stale"],
            (long)values["next_step_codes"],
            steps,
            lastSteps,
            statuses);
    }

    private static IEnumerable<Dictionary<string, double>> Tagged(string[] lines, string tag) =>
        lines.Where(l => l.StartsWith(tag, StringComparison.Ordinal)).Select(Pairs);

    private static Dictionary<string, double> Pairs(string line) =>
        Pair().Matches(line).ToDictionary(m => m.Groups["name"].Value, m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture), StringComparer.Ordinal);

    [GeneratedRegex(@"(?<name>[a-z0-9_]+)=(?<value>-?[0-9.]+)")]
    private static partial Regex Pair();
}
