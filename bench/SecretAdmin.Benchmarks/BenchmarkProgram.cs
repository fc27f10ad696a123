using System.Globalization;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using SecretAdmin.Benchmarks.Reseal;
using SecretAdmin.Benchmarks.Sealing;
using SecretAdmin.Benchmarks.SignInLoad;

namespace SecretAdmin.Benchmarks;

/// <summary>
/// <c>all</c> runs P1 to P6 (docs/benchmarks.md), P3 against the liveness endpoint and against the Identity
/// template, P2 on both engines; <c>p1 [BenchmarkDotNet options]</c> runs P1 alone (for example
/// <c>p1 --job short</c>); <c>p2 [--rows 100000,1000000] [--runs N] [--engine sqlite|postgres]</c>, <c>p3</c>,
/// <c>p3-template [options]</c> and <c>p4 [options]</c> run one part each; <c>p6</c> runs P3's second factor on SQLite,
/// PostgreSQL and two PostgreSQL nodes behind haproxy, <c>p6-sql [--sign-ins 100]</c> counts the statements, transactions
/// and round trips of one on PostgreSQL. <c>p5 [--rows 1000,1000000] [--runs 20]</c> times rotate-master with the
/// master key in a file and on a SoftHSM2 token. For a
/// profile of one P2 side: <c>p2-seed &lt;folder&gt; &lt;rows&gt;</c>, then
/// <c>p2-run &lt;side&gt; &lt;folder&gt; &lt;rows&gt; &lt;new run folder&gt;</c> under dotnet-trace, a side being one of
/// <see cref="ResealSide.All"/>.
/// </summary>
internal static class BenchmarkProgram
{
    public static async Task<int> Main(string[] args)
    {
        var artifacts = Path.Combine(RepositoryRoot(), "BenchmarkDotNet.Artifacts");
        var results = Path.Combine(artifacts, "results");
        if (args is ["all" or "p2" or "p2-seed" or "p2-run" or "p3" or "p3-template" or "p4" or "p4-serve" or "p4-profile" or "p5" or "p6" or "p6-sql", ..] && !OperatingSystem.IsLinux())
        {
            await Console.Error.WriteLineAsync("P2 to P4 read /proc and P3 installs wrk with apt-get: run them on Linux.");
            return 2;
        }

        switch (args)
        {
            case ["all", .. var rest] when OperatingSystem.IsLinux():
                // Every part runs even when an earlier one fails; the exit code says whether all passed.
                var passed = RunSealing(rest, artifacts);
                passed &= await ResealBenchmark.RunAsync(Path.GetDirectoryName(artifacts)!, ResealBenchmark.DefaultRows, runs: null, results) == 0;
                passed &= await SignInLoadBenchmark.RunAsync([], Path.GetDirectoryName(artifacts)!, results) == 0;
                passed &= await SignInVsTemplate.SignInVsTemplateBenchmark.RunAsync([], Path.GetDirectoryName(artifacts)!, results) == 0;
                passed &= await Circuits.CircuitBenchmark.RunAsync([], Path.GetDirectoryName(artifacts)!, results) == 0;
                passed &= await MasterKey.RotateMasterBenchmark.RunAsync(MasterKey.RotateMasterBenchmark.DefaultRows, 20, results) == 0;
                passed &= await ResealBenchmark.RunAsync(Path.GetDirectoryName(artifacts)!, ResealBenchmark.DefaultRows, runs: 3, results, Data.DatabaseOptions.Postgres) == 0;
                passed &= await SignInEngines.SignInEnginesBenchmark.RunAsync(Path.GetDirectoryName(artifacts)!, results) == 0;
                return passed ? 0 : 1;
            case ["p1", .. var rest]:
                return RunSealing(rest, artifacts) ? 0 : 1;
            case ["p2", .. var rest]:
                return await ResealBenchmark.RunAsync(Path.GetDirectoryName(artifacts)!, RowsOption(rest) ?? ResealBenchmark.DefaultRows, RunsOption(rest), results, BenchDatabase.EngineOption(rest));
            case ["p2-seed", var folder, var rows]:
                await SealedUserDatabase.CreateAsync(folder, int.Parse(rows, CultureInfo.InvariantCulture), BenchDatabase.Sqlite);
                return 0;
            case ["p2-run", var side, var seeded, var rows, var runFolder, .. var rest]:
                return await ResealRun.RunAsync(side, seeded, int.Parse(rows, CultureInfo.InvariantCulture), Features.Keys.SealedValueService.DefaultBatchSize, runFolder, Option(rest, "--postgres"));
            case ["p5", .. var rest] when OperatingSystem.IsLinux():
                return await MasterKey.RotateMasterBenchmark.RunAsync(RowsOption(rest) ?? MasterKey.RotateMasterBenchmark.DefaultRows, RunsOption(rest) ?? 20, results);
            case ["p3", .. var rest] when OperatingSystem.IsLinux():
                return await SignInLoadBenchmark.RunAsync(rest, Path.GetDirectoryName(artifacts)!, results);
            case ["p3-template", .. var rest] when OperatingSystem.IsLinux():
                return await SignInVsTemplate.SignInVsTemplateBenchmark.RunAsync(rest, Path.GetDirectoryName(artifacts)!, results);
            case ["p6"] when OperatingSystem.IsLinux():
                return await SignInEngines.SignInEnginesBenchmark.RunAsync(Path.GetDirectoryName(artifacts)!, results);
            case ["p6-sql", .. var rest] when OperatingSystem.IsLinux():
                return await SignInEngines.SignInStatements.RunAsync(Option(rest, "--sign-ins") is { } n ? int.Parse(n, CultureInfo.InvariantCulture) : 100, Path.GetDirectoryName(artifacts)!, results);
            case ["p4", .. var rest]:
                return await Circuits.CircuitBenchmark.RunAsync(rest, Path.GetDirectoryName(artifacts)!, results);
            case ["p4-serve", var dataDirectory, var url, var contentRoot] when OperatingSystem.IsLinux():
                return await Circuits.CircuitServer.RunAsync(dataDirectory, url, contentRoot);
            case ["p4-profile", .. var rest]:
                return await Circuits.CircuitHeapProfile.RunAsync(rest, Path.GetDirectoryName(artifacts)!);
            default:
                await Console.Error.WriteLineAsync("usage: SecretAdmin.Benchmarks all | p1 [BenchmarkDotNet options] | p2 [--rows 100000,1000000] [--runs N] [--engine sqlite|postgres] | p3 (Linux; installs wrk) | p3-template [--users 2000] [--seconds 10] [--connections 50] [--fraction 0.7] (Linux) | p4 [--circuits 50,100] [--rounds 3] [--sides empty,not-found,oidc,smtp,mfa] | p4-profile <side> [--circuits 30] | p5 [--rows 1000,1000000] [--runs 20] | p6 (Linux; installs wrk and haproxy; PostgreSQL) | p6-sql [--sign-ins 100] (Linux; PostgreSQL)");
                return 2;
        }
    }

    /// <summary>Runs P1; false when a benchmark failed (its set-up checks included) or did not run.</summary>
    private static bool RunSealing(string[] benchmarkDotNetArgs, string artifacts)
    {
        var config = DefaultConfig.Instance.WithArtifactsPath(artifacts);
        var summary = BenchmarkRunner.Run<SealOpenBenchmarks>(config, benchmarkDotNetArgs);
        return !summary.HasCriticalValidationErrors && summary.Reports.Length > 0 && summary.Reports.All(r => r.Success);
    }

    private static int[]? RowsOption(string[] args) =>
        Option(args, "--rows")?.Split(',').Select(r => int.Parse(r, NumberStyles.AllowThousands, CultureInfo.InvariantCulture)).ToArray();

    private static int? RunsOption(string[] args) =>
        Option(args, "--runs") is { } runs ? int.Parse(runs, CultureInfo.InvariantCulture) : null;

    private static string? Option(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }

    /// <summary>The folder holding SecretAdmin.sln above this program, so results land in one place wherever it is started from.</summary>
    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "SecretAdmin.sln")))
            {
                return folder.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }
}
