using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.Versioning;
using System.Text;
using System.Text.RegularExpressions;
using SecretAdmin.Benchmarks.Postgres;
using SecretAdmin.Benchmarks.SignInLoad;

namespace SecretAdmin.Benchmarks.SignInEngines;

/// <summary>
/// <c>p6-sql</c>: the database work of one second-factor sign-in on PostgreSQL, counted rather than
/// timed. A throw-away cluster with <c>log_statement=all</c>, one node of the published app with EF
/// Core's command and transaction logging on, a few users past the password step; then the same
/// length of time idle (the node's own polling) and with the users' code POSTs one after another.
/// Each statement the server logged in the sign-in window, less the idle window's, is one the sign-ins
/// caused; EF Core's "Executed DbCommand" lines (one per round trip, a batch being one) and
/// "Committed transaction" lines say how they travelled.
/// </summary>
[SupportedOSPlatform("linux")]
internal static partial class SignInStatements
{
    public const string ReportFile = "P6-SQL-report.md";

    public static async Task<int> RunAsync(int signIns, string repositoryRoot, string resultsFolder)
    {
        if (Environment.GetEnvironmentVariable(PostgresServer.Variable) is { Length: > 0 })
        {
            await Console.Error.WriteLineAsync($"p6-sql reads the server's statement log, so it starts a throw-away cluster of its own; unset {PostgresServer.Variable}.");
            return 2;
        }

        var root = Path.Combine(Path.GetTempPath(), "secretadmin-bench", "p6-sql-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        Directory.CreateDirectory(resultsFolder);
        try
        {
            var published = Path.Combine(root, "app");
            await AppUnderTest.PublishAsync(repositoryRoot, published);
            await using var server = await PostgresServer.StartAsync("log_statement=all", "log_line_prefix=pid=%p,");
            var postmaster = server.ProcessId!.Value;
            var databaseName = $"secretadmin_bench_p6sql_{Guid.NewGuid():N}";
            await server.CreateDatabaseAsync(databaseName);
            var postgres = BenchDatabase.Postgres(server.ConnectionStringFor(databaseName));
            var data = Path.Combine(root, "node");
            var users = await SignInUserDatabase.CreateAsync(data, signIns, postgres);
            var appLog = Path.Combine(resultsFolder, "P6-SQL-app.log");
            KeyValuePair<string, string>[] logging =
            [
                new("Logging__LogLevel__Microsoft.EntityFrameworkCore.Database.Command", "Information"),
                new("Logging__LogLevel__Microsoft.EntityFrameworkCore.Database.Transaction", "Debug"),
            ];
            string report;
            await using (var app = await AppUnderTest.StartAsync(published, data, postgres, appLog, logging))
            using (new ProcessExitGuard(app.ProcessId))
            {
                using var passwordStep = new PasswordStep(app.Address);
                var sessions = new List<SignInSession>();
                for (var user = 0; user < signIns; user++)
                {
                    sessions.Add(await passwordStep.SignInAsync(user));
                }

                // Codes of one step, each user's once; start early in a step so all fall in it.
                var step = TotpCodes.StepAt(DateTimeOffset.UtcNow.AddSeconds(-2)) + (DateTimeOffset.UtcNow.ToUnixTimeSeconds() % TotpCodes.PeriodSeconds > 20 ? 1 : 0);
                var at = DateTimeOffset.FromUnixTimeSeconds(step * TotpCodes.PeriodSeconds);
                if (at > DateTimeOffset.UtcNow)
                {
                    await Task.Delay(at - DateTimeOffset.UtcNow);
                }

                await Task.Delay(TimeSpan.FromSeconds(1));
                var (serverStart, appStart) = (Length(server.LogFile!), Length(appLog));
                var cpuStart = (Postgres: PostgresCpu.Seconds(postmaster), App: CpuTimes.Read(app.ProcessId).ProcessSeconds);
                var clock = Stopwatch.StartNew();
                foreach (var session in sessions)
                {
                    using var response = await passwordStep.SubmitCodeAsync(session, TotpCodes.For(users.Secrets[session.User], step));
                    if (response.StatusCode != HttpStatusCode.Redirect)
                    {
                        throw new InvalidOperationException($"The code of user {session.User} gave {(int)response.StatusCode}, not a 302.");
                    }
                }

                // Let the last statements reach the logs; then a window of the same length without sign-ins.
                await Task.Delay(TimeSpan.FromSeconds(1));
                var window = clock.Elapsed;
                var (serverMark, appMark) = (Length(server.LogFile!), Length(appLog));
                var cpuMark = (Postgres: PostgresCpu.Seconds(postmaster), App: CpuTimes.Read(app.ProcessId).ProcessSeconds);
                await Task.Delay(window);
                var (serverEnd, appEnd) = (Length(server.LogFile!), Length(appLog));
                var cpuEnd = (Postgres: PostgresCpu.Seconds(postmaster), App: CpuTimes.Read(app.ProcessId).ProcessSeconds);
                var cpu = (
                    Postgres: (cpuMark.Postgres - cpuStart.Postgres, cpuEnd.Postgres - cpuMark.Postgres),
                    App: (cpuMark.App - cpuStart.App, cpuEnd.App - cpuMark.App));
                report = Report(signIns, window, cpu.Postgres, cpu.App,
                    Statements(Read(server.LogFile!, serverStart, serverMark)), Statements(Read(server.LogFile!, serverMark, serverEnd)),
                    Read(appLog, appStart, appMark), Read(appLog, appMark, appEnd));
            }

            await server.DropDatabaseAsync(databaseName);
            var file = Path.Combine(resultsFolder, ReportFile);
            await File.WriteAllTextAsync(file, report);
            Console.WriteLine(report);
            Console.WriteLine($"p6-sql: written to {file} (the app's log P6-SQL-app.log beside it)");
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static long Length(string file) => new FileInfo(file).Length;

    private static string Read(string file, long from, long to)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        stream.Position = from;
        var buffer = new byte[to - from];
        stream.ReadExactly(buffer);
        return Encoding.UTF8.GetString(buffer);
    }

    /// <summary>The statements of a stretch of the server's log, in order: <c>pid=N,LOG:  statement: …</c> or <c>execute &lt;name&gt;: …</c>, with their continuation lines.</summary>
    private static List<Statement> Statements(string log)
    {
        var statements = new List<Statement>();
        StringBuilder? sql = null;
        var pid = 0;
        foreach (var line in log.Split('\n'))
        {
            if (line.StartsWith("pid=", StringComparison.Ordinal))
            {
                Flush();
                if (StatementLine().Match(line) is { Success: true } m)
                {
                    pid = int.Parse(m.Groups["pid"].Value, CultureInfo.InvariantCulture);
                    sql = new StringBuilder(m.Groups["sql"].Value);
                }
            }
            else if (sql is not null)
            {
                sql.Append(' ').Append(line);
            }
        }

        Flush();
        return statements;

        void Flush()
        {
            if (sql is not null)
            {
                statements.Add(new Statement(pid, Whitespace().Replace(sql.ToString(), " ").Trim()));
                sql = null;
            }
        }
    }

    private static string Report(int signIns, TimeSpan window, (double During, double Idle) postgresCpu, (double During, double Idle) appCpu, List<Statement> during, List<Statement> idle, string appDuring, string appIdle)
    {
        double PerSignIn(double busy, double quiet) => (busy - quiet) / signIns;
        var report = new StringBuilder();
        report.AppendLine("## P6 — the database work of one second-factor sign-in on PostgreSQL").AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"{signIns} users past the password step, then their code POSTs one after another; the window ({window.TotalSeconds:F1} s, the POSTs and a second for the logs) is compared with as long a window without sign-ins (the node's own polling). Per sign-in = (window − idle window) / {signIns}. The server logged with `log_statement=all`; EF Core's command and transaction categories logged in the app.").AppendLine();

        report.AppendLine("| | in the window | in the idle window | per sign-in |").AppendLine("|---|---:|---:|---:|");
        foreach (var kind in new[] { "SELECT", "INSERT", "UPDATE", "DELETE", "BEGIN", "COMMIT", "ROLLBACK", "DISCARD", "other" })
        {
            var (x, y) = (during.Count(st => st.Kind == kind), idle.Count(st => st.Kind == kind));
            if (x + y > 0)
            {
                var name = kind == "DISCARD" ? "DISCARD ALL (Npgsql's reset of a pooled connection, sent ahead of its next command)" : $"{kind} statements";
                report.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {x} | {y} | {PerSignIn(x, y):F1} |");
            }
        }

        var (all, allIdle) = (during.Count, idle.Count);
        report.AppendLine(CultureInfo.InvariantCulture, $"| **all statements** | {all} | {allIdle} | **{PerSignIn(all, allIdle):F1}** |");
        var (tx, writeTx) = Transactions(during);
        var (txIdle, writeTxIdle) = Transactions(idle);
        report.AppendLine(CultureInfo.InvariantCulture, $"| transactions (explicit, or one statement alone; DISCARD ALL aside) | {tx} | {txIdle} | {PerSignIn(tx, txIdle):F1} |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| of them writing (a WAL flush each at commit) | {writeTx} | {writeTxIdle} | {PerSignIn(writeTx, writeTxIdle):F1} |");
        var (commands, commandsIdle) = (EfCommand().Count(appDuring), EfCommand().Count(appIdle));
        var (commits, commitsIdle) = (EfCommit().Count(appDuring), EfCommit().Count(appIdle));
        report.AppendLine(CultureInfo.InvariantCulture, $"| EF Core commands (\"Executed DbCommand\": one round trip each) | {commands} | {commandsIdle} | {PerSignIn(commands, commandsIdle):F1} |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| EF Core commits (\"Committed transaction\": one round trip each) | {commits} | {commitsIdle} | {PerSignIn(commits, commitsIdle):F1} |");

        report.AppendLine(CultureInfo.InvariantCulture, $"| PostgreSQL server CPU, all its processes, logging every statement (ms) | {postgresCpu.During * 1000:F0} | {postgresCpu.Idle * 1000:F0} | {PerSignIn(postgresCpu.During, postgresCpu.Idle) * 1000:F2} |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| the node's CPU, logging every EF Core command, JIT still warming (ms) | {appCpu.During * 1000:F0} | {appCpu.Idle * 1000:F0} | {PerSignIn(appCpu.During, appCpu.Idle) * 1000:F2} |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| load average (1 min) at the end | {File.ReadAllText("/proc/loadavg").Split(' ')[0]} | | |");

        report.AppendLine().AppendLine("Statements in the window, by text (parameters aside), with the idle window's count beside:").AppendLine();
        report.AppendLine("| per sign-in | window | idle | statement |").AppendLine("|---:|---:|---:|---|");
        var idleBySql = idle.GroupBy(st => st.Sql).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        foreach (var group in during.GroupBy(st => st.Sql).OrderByDescending(g => g.Count()))
        {
            var quiet = idleBySql.GetValueOrDefault(group.Key);
            var text = group.Key.Length > 160 ? group.Key[..160] + " …" : group.Key;
            report.AppendLine(CultureInfo.InvariantCulture, $"| {PerSignIn(group.Count(), quiet):F2} | {group.Count()} | {quiet} | `{text.Replace("|", "\\|", StringComparison.Ordinal)}` |");
        }

        return report.ToString();
    }

    /// <summary>Transactions, and those that wrote, following each backend (pid) through BEGIN … COMMIT; a statement outside one is its own.</summary>
    private static (int Transactions, int Writing) Transactions(List<Statement> statements)
    {
        var open = new Dictionary<int, bool>();
        var (transactions, writing) = (0, 0);
        foreach (var statement in statements)
        {
            switch (statement.Kind)
            {
                case "BEGIN":
                    transactions++;
                    open[statement.Pid] = false;
                    break;
                case "DISCARD":
                    break;
                case "COMMIT" or "ROLLBACK":
                    if (open.Remove(statement.Pid, out var wrote) && wrote)
                    {
                        writing++;
                    }

                    break;
                default:
                    if (open.ContainsKey(statement.Pid))
                    {
                        open[statement.Pid] |= statement.Writes;
                    }
                    else
                    {
                        transactions++;
                        writing += statement.Writes ? 1 : 0;
                    }

                    break;
            }
        }

        return (transactions, writing);
    }

    private sealed record Statement(int Pid, string Sql)
    {
        public string Kind => Sql.Split(' ', 2)[0].ToUpperInvariant() switch
        {
            "SELECT" => "SELECT",
            "INSERT" => "INSERT",
            "UPDATE" => "UPDATE",
            "DELETE" => "DELETE",
            "BEGIN" or "START" => "BEGIN",
            "COMMIT" => "COMMIT",
            "ROLLBACK" => "ROLLBACK",
            "DISCARD" => "DISCARD",
            _ => "other",
        };

        public bool Writes => Kind is "INSERT" or "UPDATE" or "DELETE" || WriteWord().IsMatch(Sql);
    }

    [GeneratedRegex(@"^pid=(?<pid>\d+),LOG:\s+(?:statement|execute [^:]+):\s(?<sql>.*)$")]
    private static partial Regex StatementLine();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"\b(INSERT INTO|UPDATE \S+ SET|DELETE FROM)\b", RegexOptions.IgnoreCase)]
    private static partial Regex WriteWord();

    [GeneratedRegex("Executed DbCommand")]
    private static partial Regex EfCommand();

    [GeneratedRegex("Committed transaction")]
    private static partial Regex EfCommit();
}
