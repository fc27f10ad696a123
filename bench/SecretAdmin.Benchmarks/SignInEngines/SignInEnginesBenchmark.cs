using System.Diagnostics;
using System.Globalization;
using System.Runtime.Versioning;
using System.Text;
using SecretAdmin.Benchmarks.Postgres;
using SecretAdmin.Benchmarks.SignInLoad;

namespace SecretAdmin.Benchmarks.SignInEngines;

/// <summary>
/// P6 (<c>p6</c>): P3's second factor, in one run, on SQLite with one node, on PostgreSQL with one
/// node, and on PostgreSQL with two nodes (two processes of the published app on one database, the
/// second with the first's master key copied in, as README's "Run several nodes" sets them up). The
/// same client in each: two wrk processes side by side, each with one thread and half the
/// connections and half the users, both aimed at the one node or one at each node, their throughputs
/// summed. Each engine's users pass the password step once, on its first node, then serve a warm-up
/// run and the measured runs, two TOTP steps apart; on two nodes the second node accepts two-factor
/// cookies the first issued. See docs/benchmarks.md.
/// </summary>
[SupportedOSPlatform("linux")]
internal static class SignInEnginesBenchmark
{
    public const string ReportFile = "P6-SignIn-engines-report.md";

    /// <summary>Per wrk process; two run side by side, so 50 connections in all, as P3.</summary>
    private static readonly WrkSettings PerProcess = new(Threads: 1, Connections: 25, DurationSeconds: 7, TimeoutSeconds: 10);

    /// <summary>
    /// Each run lies within one TOTP step, so each user gives two codes (the step's and the next's):
    /// 4,000 users feed up to about 1,140 second factors/s for 7 s. The same users serve every run of
    /// an engine, each run two steps after the one before.
    /// </summary>
    private const int MeasuredUsers = 4_000;

    /// <summary>
    /// The password step stops after this long even if not all users are done, so that the last
    /// PostgreSQL run (the warm-up up to 30 s after it, then two runs 60 s apart, 7 s long, wrk's
    /// timeout of 10 s) ends before the first two-factor cookie expires (5 minutes).
    /// </summary>
    private static readonly TimeSpan PasswordStepLimit = TimeSpan.FromSeconds(105);

    private const int SecondsIntoStep = 3;

    private const int PasswordStepParallel = 4;

    public static async Task<int> RunAsync(string repositoryRoot, string resultsFolder)
    {
        if (await Wrk.EnsureInstalledAsync() is { } missing)
        {
            await Console.Error.WriteLineAsync(missing);
            return 2;
        }

        var root = Path.Combine(Path.GetTempPath(), "secretadmin-bench", "p6-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        Directory.CreateDirectory(resultsFolder);
        var results = new List<EngineLoadResult>();
        var problems = new List<string>();
        var notes = new List<string>();
        var total = Stopwatch.StartNew();
        foreach (var log in Directory.GetFiles(resultsFolder, "P6-*.log"))
        {
            File.Delete(log);
        }

        try
        {
            await RunCoreAsync(repositoryRoot, root, resultsFolder, results, problems, notes);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or HttpRequestException or System.Data.Common.DbException)
        {
            problems.Add($"The run stopped: {e.Message}");
            await Console.Error.WriteLineAsync(e.ToString());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }

        var report = Report(results, problems, notes, total.Elapsed);
        var file = Path.Combine(resultsFolder, ReportFile);
        await File.WriteAllTextAsync(file, report);
        Console.WriteLine();
        Console.WriteLine(report);
        Console.WriteLine($"P6: written to {file} (app logs P6-app-*.log, wrk output P6-wrk-*.log beside it)");
        return problems.Count == 0 ? 0 : 1;
    }

    private static async Task RunCoreAsync(string repositoryRoot, string root, string resultsFolder, List<EngineLoadResult> results, List<string> problems, List<string> notes)
    {
        var clock = Stopwatch.StartNew();
        var published = Path.Combine(root, "app");
        await AppUnderTest.PublishAsync(repositoryRoot, published);
        Log($"published src/SecretAdmin in Release in {clock.Elapsed.TotalSeconds:F1} s");

        // Two nodes hold up to 2 × 50 pooled connections, more than PostgreSQL's default 100.
        await using var server = await PostgresServer.StartAsync("max_connections=300");
        notes.Add($"PostgreSQL {await server.VersionAsync()}: {server.Description}, with max_connections=300 (two nodes' connection pools).");
        var sqliteData = Path.Combine(root, "sqlite");
        var sqliteUsers = await SignInUserDatabase.CreateAsync(sqliteData, MeasuredUsers, BenchDatabase.Sqlite);
        var databaseName = $"secretadmin_bench_p6_{Guid.NewGuid():N}";
        await server.CreateDatabaseAsync(databaseName);
        var postgres = BenchDatabase.Postgres(server.ConnectionStringFor(databaseName));
        var nodeAData = Path.Combine(root, "node-a");
        var postgresUsers = await SignInUserDatabase.CreateAsync(nodeAData, MeasuredUsers, postgres);
        Log($"seeded {MeasuredUsers:N0} users with sealed TOTP secrets into SQLite and into PostgreSQL in {clock.Elapsed.TotalSeconds:F1} s (with the publish)");

        var script = Path.Combine(root, "second-factor.lua");
        await File.WriteAllTextAsync(script, WrkScripts.SecondFactor);
        var cookieLifetime = TimeSpan.FromMinutes(5);

        // SQLite, one node: the password step, a warm-up run, then the measured run two steps later with the same users.
        await using (var app = await AppUnderTest.StartAsync(published, sqliteData, BenchDatabase.Sqlite, Path.Combine(resultsFolder, "P6-app-sqlite.log")))
        using (new ProcessExitGuard(app.ProcessId))
        {
            Log($"SQLite node started at {app.Address}");
            var sessions = await PasswordStepAsync(app, MeasuredUsers);
            var warmUp = await MeasureAsync("SQLite, warm-up", [app, app], sessions, sqliteUsers, notBeforeStep: 0, script, root, resultsFolder);
            var result = await MeasureAsync("SQLite, 1 node", [app, app], sessions, sqliteUsers, NextUnusedStep(warmUp), script, root, resultsFolder);
            results.Add(result);
            Check(result, sessions, cookieLifetime, problems);
        }

        // PostgreSQL: nodes A and B on the same database, B's data folder holding A's master key
        // (README: "Run several nodes"). Both warmed up together, then A alone, then both.
        var nodeBData = Path.Combine(root, "node-b");
        Reseal.SealedUserDatabase.Copy(nodeAData, nodeBData);
        await using (var nodeA = await AppUnderTest.StartAsync(published, nodeAData, postgres, Path.Combine(resultsFolder, "P6-app-postgres-a.log")))
        using (new ProcessExitGuard(nodeA.ProcessId))
        await using (var nodeB = await AppUnderTest.StartAsync(published, nodeBData, postgres, Path.Combine(resultsFolder, "P6-app-postgres-b.log")))
        using (new ProcessExitGuard(nodeB.ProcessId))
        {
            Log($"PostgreSQL nodes started at {nodeA.Address} (A) and {nodeB.Address} (B)");
            var sessions = await PasswordStepAsync(nodeA, MeasuredUsers);
            var warmUp = await MeasureAsync("PostgreSQL, warm-up of both nodes", [nodeA, nodeB], sessions, postgresUsers, notBeforeStep: 0, script, root, resultsFolder);
            var one = await MeasureAsync("PostgreSQL, 1 node", [nodeA, nodeA], sessions, postgresUsers, NextUnusedStep(warmUp), script, root, resultsFolder);
            results.Add(one);
            Check(one, sessions, cookieLifetime, problems);
            var two = await MeasureAsync("PostgreSQL, 2 nodes", [nodeA, nodeB], sessions, postgresUsers, NextUnusedStep(one), script, root, resultsFolder);
            results.Add(two);
            Check(two, sessions, cookieLifetime, problems);
        }

        await server.DropDatabaseAsync(databaseName);
        foreach (var log in Directory.GetFiles(resultsFolder, "P6-app-*.log"))
        {
            if (AppLog.Read(log).Errors is { Count: > 0 } errors)
            {
                problems.Add($"{Path.GetFileName(log)} holds errors: {string.Join(", ", errors.Select(e => $"{e.Key} ×{e.Value}"))}.");
            }
        }
    }

    /// <summary>The step after the last one <paramref name="run"/> could have used (it sent its step's codes and the next's).</summary>
    private static long NextUnusedStep(EngineLoadResult run) => TotpCodes.StepAt(run.First.StartedAt) + 2;

    private static async Task<SignInSession[]> PasswordStepAsync(AppUnderTest app, int count)
    {
        var clock = Stopwatch.StartNew();
        using var passwordStep = new PasswordStep(app.Address);
        var sessions = await passwordStep.SignInAsync(0, count, PasswordStepParallel, DateTimeOffset.UtcNow + PasswordStepLimit);
        Log($"password step of {sessions.Length:N0} users on {app.Address} in {clock.Elapsed.TotalSeconds:F1} s ({sessions.Length / clock.Elapsed.TotalSeconds:F1}/s)");
        return sessions;
    }

    /// <summary>
    /// Waits for <see cref="SecondsIntoStep"/> seconds into a TOTP step (not before <paramref name="notBeforeStep"/>),
    /// then runs two wrk processes side by side, the first on <paramref name="targets"/>[0] with the even users,
    /// the second on <paramref name="targets"/>[1] with the odd ones; each user may send that step's code and the next's.
    /// </summary>
    private static async Task<EngineLoadResult> MeasureAsync(
        string configuration, AppUnderTest[] targets, SignInSession[] sessions, SeededUsers users, long notBeforeStep, string script, string root, string resultsFolder)
    {
        var now = DateTimeOffset.UtcNow;
        var step = Math.Max(notBeforeStep, TotpCodes.StepAt(now.AddSeconds(-SecondsIntoStep + 1)) + 1);
        var start = DateTimeOffset.FromUnixTimeSeconds((step * TotpCodes.PeriodSeconds) + SecondsIntoStep);
        var runs = new Task<WrkResult>[2];
        var files = new string[2];
        for (var i = 0; i < 2; i++)
        {
            files[i] = Path.Combine(root, $"measured-{i}.tsv");
            var half = sessions.Where((_, n) => n % 2 == i).ToArray();
            await TotpCodes.WriteSessionsFileAsync(files[i], half, users.Secrets, step, 2);
        }

        Log($"{configuration}: run at {start:HH:mm:ss} UTC");
        if (start > DateTimeOffset.UtcNow)
        {
            await Task.Delay(start - DateTimeOffset.UtcNow);
        }

        for (var i = 0; i < 2; i++)
        {
            var target = targets[i];
            runs[i] = Wrk.RunAsync($"{configuration}, wrk {i + 1} on {target.Address}", new Uri(target.Address, PasswordStep.CodeFormPath), script,
                ScriptArguments(target, files[i], step, PerProcess.Threads, steps: 2), PerProcess, target.ProcessId, Path.Combine(resultsFolder, $"P6-wrk-{i + 1}.log"));
        }

        var result = new EngineLoadResult(configuration, targets[0] == targets[1], await runs[0], await runs[1]);
        Log($"{configuration}: {result.RequestsPerSecond:N0}/s ({result.First.RequestsPerSecond:N0} + {result.Second.RequestsPerSecond:N0}), p50 {SignInLoadReport.Ms(result.P50Microseconds)} ms, p99 {SignInLoadReport.Ms(result.P99Microseconds)} ms, {result.Errors:N0} errors, {result.Reused:N0} reused codes; load {result.LoadAverageBefore:F2}→{result.LoadAverageAfter:F2}");
        return result;
    }

    private static string[] ScriptArguments(AppUnderTest app, string sessionsFile, long firstStep, int threads, int steps) =>
    [
        sessionsFile, threads.ToString(CultureInfo.InvariantCulture), firstStep.ToString(CultureInfo.InvariantCulture), steps.ToString(CultureInfo.InvariantCulture),
        TotpCodes.PeriodSeconds.ToString(CultureInfo.InvariantCulture), PasswordStep.CodeFormPath, new Uri(app.Address, PasswordStep.ReturnUrl).ToString(),
    ];

    private static void Check(EngineLoadResult result, SignInSession[] sessions, TimeSpan cookieLifetime, List<string> problems)
    {
        if (result.Errors > 0)
        {
            problems.Add($"{result.Configuration}: {result.Errors:N0} errors (socket errors and responses that were not a successful sign-in).");
        }

        if (result.Reused > 0 || result.Stale > 0)
        {
            problems.Add($"{result.Configuration}: {result.Reused:N0} requests repeated a code and {result.Stale:N0} had none: too few users for the rate reached.");
        }

        var firstCookieExpires = sessions.Min(s => s.SignedInAt) + cookieLifetime;
        var ended = result.First.EndedAt > result.Second.EndedAt ? result.First.EndedAt : result.Second.EndedAt;
        if (firstCookieExpires < ended)
        {
            problems.Add($"{result.Configuration}: the first two-factor cookie expired at {firstCookieExpires:HH:mm:ss}, before the run ended at {ended:HH:mm:ss}.");
        }
    }

    private static string Report(List<EngineLoadResult> results, List<string> problems, List<string> notes, TimeSpan took)
    {
        var report = new StringBuilder();
        report.AppendLine("## P6 — second-factor sign-in by engine and nodes").AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"Two wrk processes side by side, each {PerProcess.Threads} thread, {PerProcess.Connections} connections, {PerProcess.DurationSeconds} s, timeout {PerProcess.TimeoutSeconds} s; {MeasuredUsers:N0} users per engine past the password step, each sending the step's code and the next step's, in a warm-up run and then in each measured run (two TOTP steps apart). Requests/s summed over both; p50 and p99 the higher of the two processes'. Took {took.TotalMinutes:F1} min.");
        foreach (var note in notes)
        {
            report.AppendLine().AppendLine(note);
        }

        report.AppendLine();
        report.AppendLine("| configuration | at (UTC) | requests | second factors/s | wrk 1 + wrk 2 /s | p50 ms | p99 ms | errors | app CPU s | app CPU µs/request | machine busy | load average |");
        report.AppendLine("|---|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---|");
        foreach (var r in results)
        {
            report.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Configuration} | {r.First.StartedAt:HH:mm:ss} | {r.Requests:N0} | {r.RequestsPerSecond:N0} | {r.First.RequestsPerSecond:N0} + {r.Second.RequestsPerSecond:N0} | {SignInLoadReport.Ms(r.P50Microseconds)} | {SignInLoadReport.Ms(r.P99Microseconds)} | {r.Errors:N0} | {r.AppCpuSeconds:F1} | {r.AppCpuSeconds * 1e6 / r.Requests:N0} | {r.MachineBusy:P0} | {r.LoadAverageBefore:F2}→{r.LoadAverageAfter:F2} |");
        }

        if (results.Count == 3)
        {
            var (sqlite, one, two) = (results[0], results[1], results[2]);
            report.AppendLine().AppendLine("| ratio | throughput | p50 | p99 |").AppendLine("|---|---:|---:|---:|");
            report.AppendLine(CultureInfo.InvariantCulture, $"| PostgreSQL 1 node / SQLite 1 node | {one.RequestsPerSecond / sqlite.RequestsPerSecond:F2} | {one.P50Microseconds / sqlite.P50Microseconds:F2} | {one.P99Microseconds / sqlite.P99Microseconds:F2} |");
            report.AppendLine(CultureInfo.InvariantCulture, $"| PostgreSQL 2 nodes / PostgreSQL 1 node | {two.RequestsPerSecond / one.RequestsPerSecond:F2} | {two.P50Microseconds / one.P50Microseconds:F2} | {two.P99Microseconds / one.P99Microseconds:F2} |");
        }

        report.AppendLine().AppendLine(problems.Count == 0 ? "Checks: all passed (no errors, no code sent twice, every two-factor cookie valid to the end, no error in the apps' logs)." : "Problems:");
        foreach (var problem in problems)
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"- {problem}");
        }

        return report.ToString();
    }

    private static void Log(string message) => Console.WriteLine($"P6 {DateTimeOffset.UtcNow:HH:mm:ss}: {message}");
}
