using System.Diagnostics;
using System.Globalization;
using System.Text;
using SecretAdmin.Benchmarks.Reseal;
using SecretAdmin.Data;

namespace SecretAdmin.Benchmarks.Circuits;

/// <summary>
/// P4 (<c>p4 [--circuits 50,100] [--rounds 3] [--warmup 5] [--parallel 4] [--sides empty,oidc,…]</c>):
/// memory per Blazor circuit on the settings pages against an empty page in the same layout. For
/// each circuit count, round and side (sides interleaved, taking turns to go first): a fresh
/// <see cref="CircuitServer"/>, warm-up circuits opened and kept, a full aggressive GC and a measurement, then
/// N more circuits in headless Chromium, kept open, and a second measurement. Growth per circuit is
/// the difference over N. Writes a markdown report beside BenchmarkDotNet's results; exits 1 when a
/// run failed its checks (a page that did not render in its circuit, a circuit not open and connected).
/// </summary>
internal static class CircuitBenchmark
{
    public const double Goal = 1.5;

    /// <summary>Time for the last circuits' after-render work (MudBlazor's JavaScript calls) before measuring.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(5);

    public static async Task<int> RunAsync(string[] args, string repositoryRoot, string resultsFolder)
    {
        if (!OperatingSystem.IsLinux())
        {
            await Console.Error.WriteLineAsync("P4 reads the server's resident size from /proc: run it on Linux.");
            return 2;
        }

        var circuitCounts = IntegersOption(args, "--circuits") ?? [50, 100];
        var rounds = IntegerOption(args, "--rounds") ?? 3;
        var warmup = IntegerOption(args, "--warmup") ?? 5;
        var parallel = IntegerOption(args, "--parallel") ?? 4;
        var sides = Option(args, "--sides") is { } names
            ? names.Split(',').Select(name => CircuitSide.All.Single(side => side.Name == name)).ToArray()
            : CircuitSide.All;
        if (!sides.Contains(CircuitSide.Empty))
        {
            sides = [CircuitSide.Empty, .. sides];
        }

        var started = Stopwatch.StartNew();
        var results = new List<CircuitRunResult>();
        var failures = new List<string>();
        string browserVersion;
        await using (var admin = await SignedInAdmin.CreateAsync(repositoryRoot))
        {
            browserVersion = admin.Browser.Version;
            foreach (var circuits in circuitCounts)
            {
                for (var round = 0; round < rounds; round++)
                {
                    var order = sides.Skip(round % sides.Length).Concat(sides.Take(round % sides.Length));
                    foreach (var side in order)
                    {
                        try
                        {
                            var result = await RunOneAsync(admin, side, round + 1, circuits, warmup, parallel, repositoryRoot);
                            results.Add(result);
                            Console.WriteLine(
                                $"P4: {circuits} circuits, round {round + 1}/{rounds}, {side.Name,-9}: managed heap {Kib(result.ManagedHeapPerCircuit)} KiB/circuit, " +
                                $"RSS {Kib(result.ResidentPerCircuit)} KiB/circuit (before: heap {Mib(result.Before.ManagedHeapBytes)} MiB, RSS {Mib(result.Before.ResidentBytes)} MiB), " +
                                $"opened in {result.OpenSeconds:F1} s, load {result.LoadAverageBefore:F1}→{result.LoadAverageAfter:F1}{(result.Problem is { } problem ? $" — FAILED: {problem}" : "")}");
                            if (result.Problem is { } failed)
                            {
                                failures.Add($"{circuits} circuits, round {round + 1}, {side.Name}: {failed}");
                            }
                        }
                        catch (Exception exception) when (exception is InvalidOperationException or TimeoutException or Microsoft.Playwright.PlaywrightException)
                        {
                            failures.Add($"{circuits} circuits, round {round + 1}, {side.Name}: {exception.Message}");
                            Console.WriteLine($"P4: {circuits} circuits, round {round + 1}/{rounds}, {side.Name}: FAILED: {exception.Message}");
                        }
                    }
                }
            }
        }

        var report = Report(results.Where(r => r.Problem is null).ToList(), failures, sides, circuitCounts, warmup, parallel, browserVersion, started.Elapsed);
        Directory.CreateDirectory(resultsFolder);
        var file = Path.Combine(resultsFolder, "P4-Circuits-report.md");
        await File.WriteAllTextAsync(file, report);
        Console.WriteLine();
        Console.WriteLine(report);
        Console.WriteLine($"P4: written to {file}");
        return failures.Count == 0 ? 0 : 1;
    }

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static async Task<CircuitRunResult> RunOneAsync(
        SignedInAdmin admin, CircuitSide side, int round, int circuits, int warmup, int parallel, string repositoryRoot)
    {
        var loadBefore = ProcessMemory.LoadAverage();
        await using var server = await CircuitServerProcess.StartAsync(admin.DataDirectory, repositoryRoot);
        var context = await admin.Browser.NewContextAsync(server.BaseUrl, admin.Session);
        try
        {
            await CircuitBrowser.OpenPagesAsync(context, side, warmup, parallel);
            await Task.Delay(Settle);
            var before = await server.MeasureAsync();

            var opening = Stopwatch.StartNew();
            await CircuitBrowser.OpenPagesAsync(context, side, circuits, parallel);
            var openSeconds = opening.Elapsed.TotalSeconds;
            await Task.Delay(Settle);
            var after = await server.MeasureAsync();
            return new CircuitRunResult(side.Name, round, circuits, warmup, before, after, openSeconds, loadBefore, ProcessMemory.LoadAverage());
        }
        catch (Exception exception) when (exception is Microsoft.Playwright.PlaywrightException or TimeoutException)
        {
            throw new InvalidOperationException($"{exception.Message}\nThe server's log (end):\n{server.LogTail()}", exception);
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    private static string Report(
        List<CircuitRunResult> results, List<string> failures, CircuitSide[] sides, int[] circuitCounts, int warmup, int parallel, string browserVersion, TimeSpan took)
    {
        var report = new StringBuilder();
        report.AppendLine("## P4 — memory per Blazor circuit, settings pages vs an empty page in the same layout").AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture,
            $"Each run: a fresh server process (the app as Program.cs wires it, Production, server GC), {warmup} circuits of the side opened and kept, full aggressive GC (it decommits what it frees), measure; N more circuits, each a page in headless Chromium {browserVersion} rendered by its live circuit ({parallel} opening at a time), kept open; 5 s, the same GC, measure. Per circuit = (after − before) / N. Sides interleaved, taking turns to go first. `empty` is the benchmark's page (the app's layout, nothing else), `not-found` the app's /not-found page (the layout and one message panel). Ratios: to `empty`, of the medians, and the median of each round's ratio.");
        report.AppendLine();
        report.AppendLine("| circuits | side | runs | managed heap KiB/circuit (median) | min–max | RSS KiB/circuit (median) | min–max | committed KiB/circuit (median) | heap ratio (medians) | heap ratio (median of rounds) | RSS ratio (medians) | RSS ratio (median of rounds) | heap before MiB | RSS before MiB | opening s (median) | load average (min–max) |");
        report.AppendLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        var verdicts = new List<string>();
        foreach (var circuits in circuitCounts)
        {
            var baseline = results.Where(r => r.Circuits == circuits && r.Side == CircuitSide.Empty.Name).ToList();
            foreach (var side in sides)
            {
                var runs = results.Where(r => r.Circuits == circuits && r.Side == side.Name).ToList();
                if (runs.Count == 0 || baseline.Count == 0)
                {
                    continue;
                }

                var heap = Median(runs.Select(r => r.ManagedHeapPerCircuit));
                var resident = Median(runs.Select(r => r.ResidentPerCircuit));
                var heapRatio = heap / Median(baseline.Select(r => r.ManagedHeapPerCircuit));
                var residentRatio = resident / Median(baseline.Select(r => r.ResidentPerCircuit));
                var heapRatioOfRounds = MedianOfRounds(runs, baseline, r => r.ManagedHeapPerCircuit);
                var residentRatioOfRounds = MedianOfRounds(runs, baseline, r => r.ResidentPerCircuit);
                report.AppendLine(CultureInfo.InvariantCulture,
                    $"| {circuits} | {side.Name} | {runs.Count} | {Kib(heap)} | {Kib(runs.Min(r => r.ManagedHeapPerCircuit))}–{Kib(runs.Max(r => r.ManagedHeapPerCircuit))} | {Kib(resident)} | {Kib(runs.Min(r => r.ResidentPerCircuit))}–{Kib(runs.Max(r => r.ResidentPerCircuit))} | {Kib(Median(runs.Select(r => r.CommittedPerCircuit)))} | {heapRatio:F2} | {heapRatioOfRounds:F2} | {residentRatio:F2} | {residentRatioOfRounds:F2} | {Mib(runs.Max(r => r.Before.ManagedHeapBytes))} | {Mib(runs.Max(r => r.Before.ResidentBytes))} | {Median(runs.Select(r => r.OpenSeconds)):F1} | {runs.Min(r => Math.Min(r.LoadAverageBefore, r.LoadAverageAfter)):F1}–{runs.Max(r => Math.Max(r.LoadAverageBefore, r.LoadAverageAfter)):F1} |");
                if (CircuitSide.SettingsPages.Contains(side))
                {
                    verdicts.Add(string.Create(CultureInfo.InvariantCulture,
                        $"| {circuits} | {side.Name} | {heapRatio:F2} | {(heapRatio <= Goal ? "met" : "**missed**")} | {residentRatio:F2} | {(residentRatio <= Goal ? "met" : "**missed**")} |"));
                }
            }
        }

        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"Goal: at most {Goal:F1}× the empty page's growth per circuit (ratio of medians).").AppendLine();
        report.AppendLine("| circuits | page | managed heap ratio | heap goal | RSS ratio | RSS goal |");
        report.AppendLine("|---:|---|---:|---|---:|---|");
        foreach (var verdict in verdicts)
        {
            report.AppendLine(verdict);
        }

        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"Took {took.TotalMinutes:F1} min.");
        if (failures.Count > 0)
        {
            report.AppendLine().AppendLine("Runs that failed their checks (left out of the tables):").AppendLine();
            foreach (var failure in failures)
            {
                report.AppendLine(CultureInfo.InvariantCulture, $"- {failure.Split('\n')[0]}");
            }
        }

        return report.ToString();
    }

    /// <summary>The median over rounds of a side's value over the empty page's in the same round.</summary>
    private static double MedianOfRounds(List<CircuitRunResult> runs, List<CircuitRunResult> baseline, Func<CircuitRunResult, double> value) =>
        Median(runs.Join(baseline, r => r.Round, b => b.Round, (r, b) => value(r) / value(b)));

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN
            : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2]
            : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    public static int? IntegerOption(string[] args, string name) =>
        Option(args, name) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : null;

    private static int[]? IntegersOption(string[] args, string name) =>
        Option(args, name)?.Split(',').Select(value => int.Parse(value, CultureInfo.InvariantCulture)).ToArray();

    private static string? Option(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }

    private static string Kib(double bytes) => (bytes / 1024).ToString("F1", CultureInfo.InvariantCulture);

    private static string Mib(long bytes) => (bytes / 1048576.0).ToString("F1", CultureInfo.InvariantCulture);
}
