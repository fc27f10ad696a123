using System.Diagnostics;
using System.Globalization;
using System.Runtime.Versioning;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using SecretAdmin.Benchmarks.Postgres;
using SecretAdmin.Benchmarks.SignInLoad;
using SecretAdmin.Features.Account;

namespace SecretAdmin.Benchmarks.SignInEngines;

/// <summary>
/// P6 (<c>p6</c>): P3's second factor, in one run, behind haproxy as deploy/haproxy.cfg sets it up
/// (<see cref="HaproxyFront"/>, TLS included): SQLite with one node (and the same node direct, for
/// what the balancer costs), PostgreSQL with one node, and PostgreSQL with two nodes (two processes of
/// the published app on one database, the second with the first's master key copied in, as README's
/// "Run several nodes" sets them up). The one-node baselines run behind the same haproxy
/// configuration with both server lines aimed at the one node, so only the second node differs. The
/// same client in each: two wrk processes side by side, each with one thread and half the connections
/// and half the users, their throughputs summed. Each engine's users pass the password step once,
/// through haproxy, whose round robin pins each to a node with its SRV cookie as it pins browsers;
/// then a warm-up run and the measured runs, two TOTP steps apart. In the one-node PostgreSQL run,
/// node A accepts the two-factor cookies node B issued. See docs/benchmarks.md.
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

    private const int MinimumRunSeconds = 3;

    /// <summary>The issue's goal for two nodes behind haproxy: at least 0.9× the throughput of one node behind it.</summary>
    private const double TwoNodeGoal = 0.9;

    private const int PasswordStepParallel = 4;

    public static async Task<int> RunAsync(string repositoryRoot, string resultsFolder)
    {
        if ((await Wrk.EnsureInstalledAsync() ?? await HaproxyFront.EnsureInstalledAsync()) is { } missing)
        {
            await Console.Error.WriteLineAsync(missing);
            return 2;
        }

        Directory.CreateDirectory(resultsFolder);
        var results = new List<EngineLoadResult>();
        var problems = new List<string>();
        var notes = new List<string>();
        foreach (var log in Directory.GetFiles(resultsFolder, "P6-*.log"))
        {
            File.Delete(log);
        }

        return await ReportedRun.RunAsync(
            "P6", resultsFolder, ReportFile, "app logs P6-app-*.log, wrk output P6-wrk-*.log beside it", problems,
            root => RunCoreAsync(repositoryRoot, root, resultsFolder, results, problems, notes),
            totalTime => Report(results, problems, notes, totalTime));
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

        var operatorConfig = HaproxyFront.OperatorConfig(repositoryRoot);

        // SQLite, one node behind haproxy (both of deploy/haproxy.cfg's server lines aimed at it): the
        // password step through haproxy, a warm-up run, the measured run two steps later with the same
        // users, and two steps after that the same node without haproxy (what the balancer costs).
        await using (var app = await AppUnderTest.StartAsync(published, sqliteData, BenchDatabase.Sqlite, Path.Combine(resultsFolder, "P6-app-sqlite.log")))
        using (new ProcessExitGuard(app.ProcessId))
        await using (var front = await HaproxyFront.StartAsync(operatorConfig, Servers(app, app), Path.Combine(root, "haproxy-sqlite"), Path.Combine(resultsFolder, "P6-haproxy-sqlite.log")))
        using (new ProcessExitGuard(front.ProcessId))
        {
            Log($"SQLite node started at {app.Address}, haproxy at {front.Address} with both server lines on it");
            var sessions = await PasswordStepAsync(front.Address, front.Certificate, MeasuredUsers);
            LoadTarget[] viaFront = [new(front.Address, app.ProcessId), new(front.Address, app.ProcessId)];
            var warmUp = await MeasureAsync("SQLite, warm-up", viaFront, oneNode: true, front, postgresProcessId: null, sessions, sqliteUsers, notBeforeStep: 0, script, root, resultsFolder);
            var measured = SupportedRun(sessions.Length, warmUp);
            var result = await MeasureAsync("SQLite, 1 node behind haproxy", viaFront, oneNode: true, front, postgresProcessId: null, sessions, sqliteUsers, NextUnusedStep(warmUp), script, root, resultsFolder, measured);
            results.Add(result);
            Check(result, sessions, cookieLifetime, problems);
            LoadTarget[] direct = [new(app.Address, app.ProcessId), new(app.Address, app.ProcessId)];
            var alone = await MeasureAsync("SQLite, 1 node direct", direct, oneNode: true, front: null, postgresProcessId: null, sessions, sqliteUsers, NextUnusedStep(result), script, root, resultsFolder, measured);
            results.Add(alone);
            Check(alone, sessions, cookieLifetime, problems);
        }

        // PostgreSQL: nodes A and B on the same database, B's data folder holding A's master key
        // (README: "Run several nodes"), and two haproxy processes on deploy/haproxy.cfg: one with its
        // server lines on A and B, one with both on A (the one-node baseline: the same balancer, the
        // same cookies, one node). The password step goes through the two-node haproxy, so round robin
        // pins each user to A or B with its SRV cookie, as browsers are pinned; the code POSTs carry it.
        var nodeBData = Path.Combine(root, "node-b");
        Reseal.SealedUserDatabase.Copy(nodeAData, nodeBData);
        await using (var nodeA = await AppUnderTest.StartAsync(published, nodeAData, postgres, Path.Combine(resultsFolder, "P6-app-postgres-a.log")))
        using (new ProcessExitGuard(nodeA.ProcessId))
        await using (var nodeB = await AppUnderTest.StartAsync(published, nodeBData, postgres, Path.Combine(resultsFolder, "P6-app-postgres-b.log")))
        using (new ProcessExitGuard(nodeB.ProcessId))
        await using (var two = await HaproxyFront.StartAsync(operatorConfig, Servers(nodeA, nodeB), Path.Combine(root, "haproxy-two"), Path.Combine(resultsFolder, "P6-haproxy-two-nodes.log")))
        using (new ProcessExitGuard(two.ProcessId))
        await using (var one = await HaproxyFront.StartAsync(operatorConfig, Servers(nodeA, nodeA), Path.Combine(root, "haproxy-one"), Path.Combine(resultsFolder, "P6-haproxy-one-node.log")))
        using (new ProcessExitGuard(one.ProcessId))
        {
            Log($"PostgreSQL nodes started at {nodeA.Address} (A) and {nodeB.Address} (B); haproxy at {two.Address} (A and B) and {one.Address} (both lines on A)");
            var mark = two.LogMark();
            var sessions = await PasswordStepAsync(two.Address, two.Certificate, MeasuredUsers);
            var pinned = await two.ServedAsync("POST", AccountPaths.Login, mark);
            notes.Add($"PostgreSQL password step through the two-node haproxy: {Served(pinned)} (round robin pins each user with the SRV cookie); in the one-node run node A also serves the users pinned to node B, with the two-factor cookies node B issued.");
            LoadTarget[] viaTwo = [new(two.Address, nodeA.ProcessId), new(two.Address, nodeB.ProcessId)];
            LoadTarget[] viaOne = [new(one.Address, nodeA.ProcessId), new(one.Address, nodeA.ProcessId)];
            var warmUp = await MeasureAsync("PostgreSQL, warm-up of both nodes", viaTwo, oneNode: false, two, server.ProcessId, sessions, postgresUsers, notBeforeStep: 0, script, root, resultsFolder);
            var measured = SupportedRun(sessions.Length, warmUp);
            var oneNode = await MeasureAsync("PostgreSQL, 1 node behind haproxy", viaOne, oneNode: true, one, server.ProcessId, sessions, postgresUsers, NextUnusedStep(warmUp), script, root, resultsFolder, measured);
            results.Add(oneNode);
            Check(oneNode, sessions, cookieLifetime, problems);
            var twoNodes = await MeasureAsync("PostgreSQL, 2 nodes behind haproxy", viaTwo, oneNode: false, two, server.ProcessId, sessions, postgresUsers, NextUnusedStep(oneNode), script, root, resultsFolder, measured);
            results.Add(twoNodes);
            Check(twoNodes, sessions, cookieLifetime, problems);
            if (twoNodes.ServedBy is not { } served || !served.TryGetValue("node-a", out var byA) || !served.TryGetValue("node-b", out var byB) || byA == 0 || byB == 0)
            {
                problems.Add($"PostgreSQL, 2 nodes: haproxy's log does not show both nodes serving second factors ({Served(twoNodes.ServedBy)}).");
            }
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

    /// <summary>
    /// The measured runs' wrk settings: as long as the users past the password step have codes for
    /// (two each, one step) at P3's <see cref="SignInLoadBenchmark.RateMargin"/> × the warm-up's rate (a warm node is faster than a cold one), up to
    /// <see cref="PerProcess"/>'s seconds. The password step is capped in time, so on a fast app
    /// fewer users than <see cref="MeasuredUsers"/> may have passed it.
    /// </summary>
    private static WrkSettings SupportedRun(int users, EngineLoadResult warmUp)
    {
        var seconds = (int)Math.Floor(2 * users / (warmUp.RequestsPerSecond * SignInLoadBenchmark.RateMargin));
        return PerProcess with { DurationSeconds = Math.Clamp(seconds, MinimumRunSeconds, PerProcess.DurationSeconds) };
    }

    private static async Task<SignInSession[]> PasswordStepAsync(Uri address, X509Certificate2 certificate, int count)
    {
        var clock = Stopwatch.StartNew();
        using var passwordStep = new PasswordStep(address, certificate);
        var sessions = await passwordStep.SignInAsync(0, count, PasswordStepParallel, DateTimeOffset.UtcNow + PasswordStepLimit);
        Log($"password step of {sessions.Length:N0} users on {address} in {clock.Elapsed.TotalSeconds:F1} s ({sessions.Length / clock.Elapsed.TotalSeconds:F1}/s)");
        return sessions;
    }

    /// <summary>The server line haproxy pinned the session to (its SRV cookie), or "" without one.</summary>
    private static string PinnedNode(SignInSession session) =>
        session.CookieHeader.Split("; ").FirstOrDefault(c => c.StartsWith("SRV=", StringComparison.Ordinal))?["SRV=".Length..] ?? "";

    /// <summary>deploy/haproxy.cfg's two server lines, aimed at these nodes' ports.</summary>
    private static Dictionary<string, int> Servers(AppUnderTest nodeA, AppUnderTest nodeB) =>
        new(StringComparer.Ordinal) { ["node-a"] = nodeA.Address.Port, ["node-b"] = nodeB.Address.Port };

    private static string Served(IReadOnlyDictionary<string, long>? served) =>
        served is null || served.Count == 0 ? "no request in haproxy's log" : string.Join(", ", served.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key} {s.Value:N0}"));

    /// <summary>
    /// Waits for <see cref="SecondsIntoStep"/> seconds into a TOTP step (not before <paramref name="notBeforeStep"/>),
    /// then runs two wrk processes side by side, the first on <paramref name="targets"/>[0] with the even users,
    /// the second on <paramref name="targets"/>[1] with the odd ones; each user may send that step's code and the next's.
    /// Each wrk process measures the CPU of its target's node; behind haproxy, haproxy's CPU and which server took each POST are measured too.
    /// </summary>
    private static async Task<EngineLoadResult> MeasureAsync(
        string configuration, LoadTarget[] targets, bool oneNode, HaproxyFront? front, int? postgresProcessId, SignInSession[] sessions, SeededUsers users, long notBeforeStep, string script, string root, string resultsFolder, WrkSettings? settings = null)
    {
        settings ??= PerProcess;
        var now = DateTimeOffset.UtcNow;
        var step = Math.Max(notBeforeStep, TotpCodes.StepAt(now.AddSeconds(-SecondsIntoStep + 1)) + 1);
        var start = DateTimeOffset.FromUnixTimeSeconds((step * TotpCodes.PeriodSeconds) + SecondsIntoStep);
        var runs = new Task<WrkResult>[2];
        var files = new string[2];
        // Half the users each, and half of each node's users each (by the SRV cookie haproxy pinned them with):
        // so neither wrk process is one node's client, and a slow node holds up both alike, as it would browsers.
        var split = sessions.GroupBy(PinnedNode, StringComparer.Ordinal).SelectMany(node => node.Select((session, n) => (session, n))).ToArray();
        for (var i = 0; i < 2; i++)
        {
            files[i] = Path.Combine(root, $"measured-{i}.tsv");
            var half = split.Where(s => s.n % 2 == i).Select(s => s.session).OrderBy(s => s.User).ToArray();
            await TotpCodes.WriteSessionsFileAsync(files[i], half, users.Secrets, step, 2);
        }

        Log($"{configuration}: run of {settings.DurationSeconds} s at {start:HH:mm:ss} UTC");
        if (start > DateTimeOffset.UtcNow)
        {
            await Task.Delay(start - DateTimeOffset.UtcNow);
        }

        var mark = front?.LogMark() ?? 0;
        var frontCpuBefore = front is null ? null : CpuTimes.Read(front.ProcessId);
        var databaseCpuBefore = postgresProcessId is { } postmaster ? PostgresCpu.Seconds(postmaster) : 0;
        for (var i = 0; i < 2; i++)
        {
            var target = targets[i];
            runs[i] = Wrk.RunAsync($"{configuration}, wrk {i + 1} on {target.Address}", new Uri(target.Address, PasswordStep.CodeFormPath), script,
                ScriptArguments(target.Address, files[i], step, settings.Threads, steps: 2), settings, target.NodeProcessId, Path.Combine(resultsFolder, $"P6-wrk-{i + 1}.log"));
        }

        var first = await runs[0];
        var second = await runs[1];
        var frontCpu = front is null ? (double?)null : (CpuTimes.Read(front.ProcessId) - frontCpuBefore!).ProcessSeconds;
        var databaseCpu = postgresProcessId is { } server ? PostgresCpu.Seconds(server) - databaseCpuBefore : (double?)null;
        var result = new EngineLoadResult(configuration, oneNode, first, second)
        {
            Front = front is null ? "direct" : "haproxy (TLS)",
            FrontCpuSeconds = frontCpu,
            DatabaseCpuSeconds = databaseCpu,
            ServedBy = front is null ? null : await front.ServedAsync("POST", AccountPaths.LoginWithCode, mark),
        };
        Log($"{configuration}: {result.RequestsPerSecond:N0}/s ({result.First.RequestsPerSecond:N0} + {result.Second.RequestsPerSecond:N0}), p50 {SignInLoadReport.Ms(result.P50Microseconds)} ms, p99 {SignInLoadReport.Ms(result.P99Microseconds)} ms, {result.Errors:N0} errors, {result.Reused:N0} reused codes; {(front is null ? "direct" : $"served by {Served(result.ServedBy)}")}; load {result.LoadAverageBefore:F2}→{result.LoadAverageAfter:F2}");
        return result;
    }

    /// <summary>The script's arguments; a success is a 302 to the return URL on the address the client used (the app builds it from the request, https behind haproxy).</summary>
    private static string[] ScriptArguments(Uri address, string sessionsFile, long firstStep, int threads, int steps) =>
    [
        sessionsFile, threads.ToString(CultureInfo.InvariantCulture), firstStep.ToString(CultureInfo.InvariantCulture), steps.ToString(CultureInfo.InvariantCulture),
        TotpCodes.PeriodSeconds.ToString(CultureInfo.InvariantCulture), PasswordStep.CodeFormPath, new Uri(address, PasswordStep.ReturnUrl).ToString(),
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
        report.AppendLine(CultureInfo.InvariantCulture, $"Two wrk processes side by side, each {PerProcess.Threads} thread, {PerProcess.Connections} connections, {PerProcess.DurationSeconds} s (a measured run shorter when the users past the password step have codes for less at {SignInLoadBenchmark.RateMargin}× the warm-up's rate), timeout {PerProcess.TimeoutSeconds} s; up to {MeasuredUsers:N0} users per engine past the password step (as many as pass it in {PasswordStepLimit.TotalSeconds:0} s), each sending the step's code and the next step's, in a warm-up run and then in each measured run (two TOTP steps apart). Each wrk process has half of each node's users (by their SRV cookie) and sends through haproxy, which routes by that cookie, or straight to the node. Requests/s summed over both; p50 and p99 the higher of the two processes'. Took {took.TotalMinutes:F1} min.");
        foreach (var note in notes)
        {
            report.AppendLine().AppendLine(note);
        }

        report.AppendLine();
        report.AppendLine("| configuration | front | at (UTC) | requests | second factors/s | wrk 1 + wrk 2 /s | p50 ms | p99 ms | errors | app CPU s | app CPU µs/request | node A + node B CPU s | PostgreSQL CPU µs/request | haproxy CPU s | served by (haproxy log) | machine busy | load average |");
        report.AppendLine("|---|---|---|---:|---:|---|---:|---:|---:|---:|---:|---|---:|---:|---|---:|---|");
        foreach (var r in results)
        {
            report.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Configuration} | {r.Front} | {r.First.StartedAt:HH:mm:ss} | {r.Requests:N0} | {r.RequestsPerSecond:N0} | {r.First.RequestsPerSecond:N0} + {r.Second.RequestsPerSecond:N0} | {SignInLoadReport.Ms(r.P50Microseconds)} | {SignInLoadReport.Ms(r.P99Microseconds)} | {r.Errors:N0} | {r.AppCpuSeconds:F1} | {r.AppCpuSeconds * 1e6 / r.Requests:N0} | {(r.OneNode ? "–" : $"{r.First.AppCpu.ProcessSeconds:F1} + {r.Second.AppCpu.ProcessSeconds:F1}")} | {(r.DatabaseCpuSeconds is { } db ? (db * 1e6 / r.Requests).ToString("N0", CultureInfo.InvariantCulture) : "–")} | {(r.FrontCpuSeconds is { } cpu ? cpu.ToString("F1", CultureInfo.InvariantCulture) : "–")} | {(r.ServedBy is null ? "–" : Served(r.ServedBy))} | {r.MachineBusy:P0} | {r.LoadAverageBefore:F2}→{r.LoadAverageAfter:F2} |");
        }

        var byName = results.ToDictionary(r => r.Configuration, StringComparer.Ordinal);
        (string Name, string Of, string To, string Goal)[] ratios =
        [
            ("PostgreSQL 1 node / SQLite 1 node, both behind haproxy", "PostgreSQL, 1 node behind haproxy", "SQLite, 1 node behind haproxy", "measured, no goal"),
            ("PostgreSQL 2 nodes / 1 node, both behind haproxy", "PostgreSQL, 2 nodes behind haproxy", "PostgreSQL, 1 node behind haproxy", $"≥ {TwoNodeGoal:F1}"),
            ("SQLite 1 node behind haproxy / direct", "SQLite, 1 node behind haproxy", "SQLite, 1 node direct", "what haproxy (TLS) costs on one node"),
        ];
        report.AppendLine().AppendLine("| ratio | throughput | p50 | p99 | goal |").AppendLine("|---|---:|---:|---:|---|");
        foreach (var (name, of, to, goal) in ratios)
        {
            if (byName.TryGetValue(of, out var x) && byName.TryGetValue(to, out var y))
            {
                report.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {x.RequestsPerSecond / y.RequestsPerSecond:F2} | {x.P50Microseconds / y.P50Microseconds:F2} | {x.P99Microseconds / y.P99Microseconds:F2} | {goal} |");
            }
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
