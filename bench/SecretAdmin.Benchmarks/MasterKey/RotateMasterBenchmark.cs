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
/// P5: <c>keys rotate-master</c> on a database of 1,000 sealed values and on one of 1,000,000, with
/// the master key in a file and with it on a PKCS#11 token (SoftHSM2), all in the same run. It
/// re-wraps the data keys and session keys only, so its time must not grow with the number of sealed
/// values: the ratio of the medians, largest size to smallest, is the result per backend (goal at most
/// 1.5×), and pkcs11 / file at each size says what the token costs. Each rotation is checked: every
/// data key names the new master key afterwards (a <c>pkcs11:</c> one on the token).
/// </summary>
[SupportedOSPlatform("linux")]
internal static class RotateMasterBenchmark
{
    public static readonly int[] DefaultRows = [1_000, 1_000_000];

    public const double Goal = 1.5;

    /// <summary>Beyond this the run fails: a rotation that grows with the sealed values, not noise.</summary>
    private const double FailAbove = 2;

    private const int Rounds = 3;
    private const int Warmups = 3;

    private enum Backend
    {
        File,
        Pkcs11,
    }

    public static async Task<int> RunAsync(int[] rows, int runs, string resultsFolder)
    {
        var work = Directory.CreateTempSubdirectory("secretadmin-p5-");
        // One token per size: a rotation on a token destroys the old key, and each database names its own.
        using var softHsm = await ThrowAwaySoftHsm.CreateAsync(rows.Select(TokenLabel));
        try
        {
            var timings = new Dictionary<(int, Backend), List<double>>();
            foreach (var count in rows)
            {
                var seeded = Folder(work, count, Backend.File);
                var clock = Stopwatch.StartNew();
                await SealedUserDatabase.CreateAsync(seeded, count, BenchDatabase.Sqlite);
                Console.Error.WriteLine($"P5: seeded {count:N0} sealed values in {clock.Elapsed.TotalSeconds:0.0} s");

                // The same database moved onto the token as README says: rotate-master --to pkcs11, then the source is pkcs11.
                var onToken = Folder(work, count, Backend.Pkcs11);
                SealedUserDatabase.Copy(seeded, onToken);
                await MoveToTokenAsync(onToken, softHsm, TokenLabel(count));
                timings[(count, Backend.File)] = [];
                timings[(count, Backend.Pkcs11)] = [];
            }

            // Interleaved: round r times every side, so drift on a shared machine hits all sides alike; the
            // backends take turns to go first. Each round starts the services once (as the command does),
            // warms up, then times several rotations.
            for (var round = 0; round < Rounds; round++)
            {
                foreach (var count in rows)
                {
                    Backend[] order = round % 2 == 0 ? [Backend.File, Backend.Pkcs11] : [Backend.Pkcs11, Backend.File];
                    foreach (var backend in order)
                    {
                        var settings = backend == Backend.Pkcs11 ? softHsm.Settings(TokenLabel(count), asSource: true) : [];
                        timings[(count, backend)].AddRange(await TimeRoundAsync(Folder(work, count, backend), settings, backend, runs));
                    }
                }
            }

            var (report, ratios) = Report(rows, runs, timings);
            Directory.CreateDirectory(resultsFolder);
            var path = Path.Combine(resultsFolder, "P5-RotateMaster-report.md");
            await File.WriteAllTextAsync(path, report);
            Console.WriteLine(report);
            return ratios.All(r => r <= FailAbove) ? 0 : 1;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static string TokenLabel(int count) => $"secretadmin-p5-{count}";

    private static string Folder(DirectoryInfo work, int count, Backend backend) =>
        Path.Combine(work.FullName, $"seeded-{count}-{backend.ToString().ToLowerInvariant()}");

    /// <summary><c>keys rotate-master --to pkcs11</c> on the folder, then its master key file deleted, as README's runbook ends.</summary>
    private static async Task MoveToTokenAsync(string folder, ThrowAwaySoftHsm softHsm, string label)
    {
        var host = await BenchmarkHost.StartAsync(folder, BenchDatabase.Sqlite, softHsm.Settings(label, asSource: false));
        try
        {
            var result = await host.Services.GetRequiredService<KeyCustody>().RotateMasterAsync(AuditActor.Cli, MasterKeySourceKind.Pkcs11);
            if (!result.NewId.StartsWith("pkcs11:", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"rotate-master --to pkcs11 gave master key {result.NewId}, not one on the token");
            }
        }
        finally
        {
            BenchmarkHost.Stop(host);
        }

        foreach (var file in Directory.GetFiles(Path.Combine(folder, "keys"), "master.key*"))
        {
            File.Delete(file);
        }
    }

    /// <summary>Rotations of the master key on the folder, timed; each checked to have re-wrapped every data key.</summary>
    private static async Task<List<double>> TimeRoundAsync(string folder, IEnumerable<KeyValuePair<string, string?>> settings, Backend backend, int runs)
    {
        var host = await BenchmarkHost.StartAsync(folder, BenchDatabase.Sqlite, settings);
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
                if (result.NewId == result.PreviousId || keys.Count == 0 || keys.Any(k => k.MasterKeyId != result.NewId)
                    || result.NewId.StartsWith("pkcs11:", StringComparison.Ordinal) != (backend == Backend.Pkcs11))
                {
                    throw new InvalidOperationException($"rotate-master ({backend}) did not re-wrap every data key under a new master key of its source");
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

    /// <returns>The report and the size ratios (largest / smallest) per backend.</returns>
    private static (string Report, List<double> Ratios) Report(int[] rows, int runs, Dictionary<(int, Backend), List<double>> timings)
    {
        var report = new StringBuilder();
        report.AppendLine("# P5 rotate-master").AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"{Rounds} rounds, sides interleaved (file and pkcs11 take turns to go first); in each round the services start once on the side's database, {Warmups} rotations warm up, then {runs} are timed. Each re-wraps every data key (and session key) under a new master key — a new file, or a new key generated on the SoftHSM2 token and the old one destroyed — in one transaction. Load average at the end: {File.ReadAllText("/proc/loadavg").Split(' ')[0]}.").AppendLine();
        report.AppendLine("| sealed values | master key | median (ms) | min (ms) | max (ms) | ratio of medians to the smallest size | pkcs11 / file (medians) |");
        report.AppendLine("| ---: | --- | ---: | ---: | ---: | ---: | ---: |");
        var ratios = new List<double>();
        foreach (var count in rows)
        {
            foreach (var backend in new[] { Backend.File, Backend.Pkcs11 })
            {
                var t = timings[(count, backend)];
                var bySize = Median(t) / Median(timings[(rows[0], backend)]);
                var byBackend = backend == Backend.Pkcs11 ? $"{Median(t) / Median(timings[(count, Backend.File)]):0.00}×" : "";
                report.AppendLine(CultureInfo.InvariantCulture, $"| {count:N0} | {backend.ToString().ToLowerInvariant()} | {Median(t):0.00} | {t.Min():0.00} | {t.Max():0.00} | {bySize:0.00}× | {byBackend} |");
            }
        }

        report.AppendLine();
        foreach (var backend in new[] { Backend.File, Backend.Pkcs11 })
        {
            var ratio = Median(timings[(rows[^1], backend)]) / Median(timings[(rows[0], backend)]);
            ratios.Add(ratio);
            report.AppendLine(CultureInfo.InvariantCulture,
                $"- {backend.ToString().ToLowerInvariant()}: {rows[^1]:N0} / {rows[0]:N0} = {ratio:0.00}× — goal ≤ {Goal}×: {(ratio <= Goal ? "met" : "missed")}{(ratio > FailAbove ? $" (above {FailAbove}×: the run fails)" : "")}");
        }

        return (report.ToString(), ratios);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
