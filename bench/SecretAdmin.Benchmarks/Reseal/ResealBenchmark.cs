using System.Diagnostics;
using System.Globalization;
using System.Runtime.Versioning;
using System.Text;
using System.Text.Json;
using SecretAdmin.Benchmarks.Postgres;
using SecretAdmin.Data;

namespace SecretAdmin.Benchmarks.Reseal;

/// <summary>
/// P2 (<c>p2 [--engine sqlite|postgres]</c>): for each row count, seed one database, then time
/// re-seal and its baseline on fresh copies of it, each run in a child process of its own (so its
/// peak memory is its own), the sides interleaved and taking turns to go first. Prints medians,
/// ratios and peaks, and writes them as markdown beside BenchmarkDotNet's results. On PostgreSQL
/// the seeded database is a database of the server (<see cref="PostgresServer"/>), each run's copy a
/// <c>CREATE DATABASE … TEMPLATE</c> of it. The child processes run this program published as the
/// app is deployed (<see cref="Publish"/>): <c>keys reseal</c> starts a fresh process of the published
/// app, whose precompiled code spares the run most of the runtime's start-up compilation.
/// </summary>
[SupportedOSPlatform("linux")]
internal static class ResealBenchmark
{
    public static readonly int[] DefaultRows = [100_000, 1_000_000];

    public static int DefaultRunsFor(int rows) => rows >= 1_000_000 ? 3 : 5;

    public static async Task<int> RunAsync(string repositoryRoot, IReadOnlyList<int> rowCounts, int? runs, string resultsFolder, string engine = DatabaseOptions.Sqlite)
    {
        var root = Path.Combine(Path.GetTempPath(), "secretadmin-bench", Guid.NewGuid().ToString("N"));
        await using var server = engine == DatabaseOptions.Postgres ? await PostgresServer.StartAsync() : null;
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"## P2 — re-seal after rotate vs the same UPDATEs without cryptography, on {(server is null ? "SQLite" : "PostgreSQL")}").AppendLine();
        if (server is not null)
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"PostgreSQL {await server.VersionAsync()}: {server.Description}.").AppendLine();
        }

        report.AppendLine(CultureInfo.InvariantCulture, $"Batch size {Features.Keys.SealedValueService.DefaultBatchSize}; each run a fresh child process of this program published ReadyToRun (server GC, as the app) on a fresh copy of the seeded database; sides interleaved. Ratio of pairs: each run's time over the baseline's in the same round. Second half: from the batch that passed half the rows to the end (no warm-up, no COUNT).").AppendLine();
        report.AppendLine("| rows | side | runs | median s | min s | max s | rows/s (median) | ratio to baseline (medians) | ratio (median of pairs) | second half median s | second half ratio | RSS before MiB | peak RSS during run MiB (max) | peak managed heap MiB (max) | allocated MiB (median) | load average (min–max) |");
        report.AppendLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        try
        {
            var published = Path.Combine(root, "published");
            Console.WriteLine("P2: publishing this program as the app is deployed (ReadyToRun) for the runs' child processes");
            await Publish.ProjectAsync(Path.Combine(repositoryRoot, "bench", "SecretAdmin.Benchmarks", "SecretAdmin.Benchmarks.csproj"), published);
            var child = Path.Combine(published, Path.GetFileName(typeof(ResealBenchmark).Assembly.Location));
            foreach (var rows in rowCounts)
            {
                var seeded = Path.Combine(root, $"seeded-{rows}");
                var seeding = Stopwatch.StartNew();
                var template = server is null ? null : $"secretadmin_bench_seeded_{Guid.NewGuid():N}";
                var database = BenchDatabase.Sqlite;
                if (server is not null)
                {
                    await server.CreateDatabaseAsync(template!);
                    database = BenchDatabase.Postgres(server.ConnectionStringFor(template!));
                }

                await SealedUserDatabase.CreateAsync(seeded, rows, database);
                var size = server is null ? new FileInfo(Path.Combine(seeded, "secretadmin.db")).Length : await server.DatabaseSizeAsync(template!);
                Console.WriteLine($"P2: seeded {rows:N0} sealed TOTP secrets into {database.Name} in {seeding.Elapsed.TotalSeconds:F1} s ({size / 1048576.0:F0} MiB database)");

                var results = new List<ResealRunResult>();
                var runCount = runs ?? DefaultRunsFor(rows);
                for (var run = 0; run < runCount; run++)
                {
                    var order = ResealSide.All.Skip(run % ResealSide.All.Length).Concat(ResealSide.All.Take(run % ResealSide.All.Length));
                    foreach (var side in order)
                    {
                        var result = await RunChildAsync(child, side, seeded, rows, Path.Combine(root, $"run-{rows}-{run}-{side}"), server, template);
                        results.Add(result);
                        Console.WriteLine($"P2: {rows:N0} rows, run {run + 1}/{runCount}, {side,-16}: {result.Seconds,7:F2} s (second half {result.SecondHalfSeconds:F2} s), load {result.LoadAverageBefore:F1}→{result.LoadAverageAfter:F1}, peak RSS {Mib(result.PeakResidentBytes)} MiB, peak managed heap {Mib(result.PeakManagedHeapBytes)} MiB, allocated {Mib(result.AllocatedBytes)} MiB{(result.ServerGc ? "" : " (workstation GC)")}");
                    }
                }

                AppendRows(report, rows, results);
                Directory.Delete(seeded, recursive: true);
                if (server is not null)
                {
                    await server.DropDatabaseAsync(template!);
                }
            }
        }
        finally
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }

        Directory.CreateDirectory(resultsFolder);
        var file = Path.Combine(resultsFolder, server is null ? "P2-Reseal-report.md" : "P2-Reseal-postgres-report.md");
        await File.WriteAllTextAsync(file, report.ToString());
        Console.WriteLine();
        Console.WriteLine(report);
        Console.WriteLine($"P2: written to {file}");
        return 0;
    }

    private static void AppendRows(StringBuilder report, int rows, List<ResealRunResult> results)
    {
        var baseline = results.Where(r => r.Side == ResealSide.Baseline).ToList();
        foreach (var side in ResealSide.All)
        {
            var runs = results.Where(r => r.Side == side).ToList();
            var median = Median(runs.Select(r => r.Seconds));
            var ratioOfMedians = median / Median(baseline.Select(r => r.Seconds));
            var medianOfPairs = Median(runs.Zip(baseline, (s, b) => s.Seconds / b.Seconds));
            var secondHalf = Median(runs.Select(r => r.SecondHalfSeconds));
            var secondHalfRatio = secondHalf / Median(baseline.Select(r => r.SecondHalfSeconds));
            report.AppendLine(CultureInfo.InvariantCulture,
                $"| {rows:N0} | {side} | {runs.Count} | {median:F2} | {runs.Min(r => r.Seconds):F2} | {runs.Max(r => r.Seconds):F2} | {rows / median:N0} | {ratioOfMedians:F2} | {medianOfPairs:F2} | {secondHalf:F2} | {secondHalfRatio:F2} | {Mib(runs.Max(r => r.ResidentBeforeBytes))} | {Mib(runs.Max(r => r.PeakResidentBytes))} | {Mib(runs.Max(r => r.PeakManagedHeapBytes))} | {Mib((long)Median(runs.Select(r => (double)r.AllocatedBytes)))} | {runs.Min(r => Math.Min(r.LoadAverageBefore, r.LoadAverageAfter)):F1}–{runs.Max(r => Math.Max(r.LoadAverageBefore, r.LoadAverageAfter)):F1} |");
        }
    }

    private static async Task<ResealRunResult> RunChildAsync(string program, string side, string seeded, int rows, string runFolder, PostgresServer? server, string? template)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(program);
        foreach (var argument in new[] { "p2-run", side, seeded, rows.ToString(CultureInfo.InvariantCulture), runFolder })
        {
            start.ArgumentList.Add(argument);
        }

        if (server is not null)
        {
            start.ArgumentList.Add("--postgres");
            start.ArgumentList.Add(template!);

            // In the environment, not the arguments: the connection string may hold a password.
            start.Environment[PostgresServer.Variable] = server.ConnectionString;
        }

        // The app runs with server GC (the Web SDK's default); so does each measured run.
        start.Environment["DOTNET_gcServer"] = "1";
        using var child = Process.Start(start) ?? throw new InvalidOperationException("The P2 child process did not start.");
        ResealRunResult? result = null;
        while (await child.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.StartsWith(ResealRun.ResultPrefix, StringComparison.Ordinal))
            {
                result = JsonSerializer.Deserialize<ResealRunResult>(line[ResealRun.ResultPrefix.Length..]);
            }
            else
            {
                Console.WriteLine(line);
            }
        }

        await child.WaitForExitAsync();
        return child.ExitCode == 0 && result is not null
            ? result
            : throw new InvalidOperationException($"The P2 {side} run on {rows} rows failed (exit code {child.ExitCode}).");
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string Mib(long bytes) => (bytes / 1048576.0).ToString("F0", CultureInfo.InvariantCulture);
}
