using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;

namespace SecretAdmin.Benchmarks.Postgres;

/// <summary>
/// A PostgreSQL cluster of its own for one benchmark run, as tests/run.sh starts one: initdb in a
/// temporary folder owned by the postgres user (initdb refuses to run as root, hence runuser),
/// then the server on a free loopback port with its socket in that folder. Unlike the tests' cluster
/// it keeps PostgreSQL's defaults (fsync, synchronous commit, full-page writes): a benchmark measures
/// the database as it runs in production. Disposing stops it and deletes the folder; so does the end
/// of this process (Ctrl+C, SIGTERM) if it comes first.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class ThrowAwayPostgres : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _folder;
    private int _stopped;

    private ThrowAwayPostgres(string bin, string folder, int port)
    {
        _bin = bin;
        _folder = folder;
        Port = port;
        AppDomain.CurrentDomain.ProcessExit += OnExit;
        Console.CancelKeyPress += OnCancel;
    }

    public int Port { get; }

    /// <summary>The postmaster's process id (the first line of postmaster.pid), for its CPU time.</summary>
    public int ProcessId => int.Parse(File.ReadLines(Path.Combine(_folder, "data", "postmaster.pid")).First(), CultureInfo.InvariantCulture);

    /// <summary>The server's log (pg_ctl's <c>-l</c>), for settings that log, such as <c>log_statement=all</c>.</summary>
    public string LogFile => Path.Combine(_folder, "server.log");

    /// <summary>The superuser on the server, without a database: trust authentication on loopback, no password.</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={Port.ToString(CultureInfo.InvariantCulture)};Username=postgres";

    /// <summary>PostgreSQL's major version, from the folder its programs are in (/usr/lib/postgresql/&lt;version&gt;/bin).</summary>
    public string Version => Path.GetFileName(Path.GetDirectoryName(_bin)!);

    /// <summary>Runs initdb and starts the server; <paramref name="settings"/> are added to its command line (<c>-c name=value</c>).</summary>
    public static async Task<ThrowAwayPostgres> StartAsync(params string[] settings)
    {
        var bin = FindBin() ?? throw new InvalidOperationException(
            "A throw-away PostgreSQL needs PostgreSQL's server programs (initdb, pg_ctl under /usr/lib/postgresql/<version>/bin), which are missing; "
            + "install them (as root: apt-get update && apt-get install -y postgresql), or set SECRETADMIN_BENCH_POSTGRES to a server's connection string.");
        var folder = Directory.CreateTempSubdirectory("secretadmin-bench-pg-").FullName;
        try
        {
            if (Environment.UserName == "root")
            {
                await Command.RunAsync("chown", ["postgres", folder]);
            }

            await RunAsPostgresAsync(Path.Combine(bin, "initdb"), ["-D", Path.Combine(folder, "data"), "-A", "trust", "-U", "postgres", "--no-sync"]);
            var lastFailure = "";
            for (var attempt = 0; attempt < 5; attempt++)
            {
                var port = FreeLoopbackPort();
                var options = string.Join(' ', new[] { $"-p {port}", $"-k {folder}", "-c listen_addresses=127.0.0.1" }.Concat(settings.Select(s => $"-c {s}")));
                try
                {
                    await RunAsPostgresAsync(Path.Combine(bin, "pg_ctl"), ["-D", Path.Combine(folder, "data"), "-w", "-t", "60", "-l", Path.Combine(folder, "server.log"), "-o", options, "start"]);
                    return new ThrowAwayPostgres(bin, folder, port);
                }
                catch (InvalidOperationException e)
                {
                    lastFailure = e.Message; // The port was taken meanwhile: another one.
                }
            }

            throw new InvalidOperationException($"PostgreSQL did not start on a loopback port in {folder}: {lastFailure}");
        }
        catch
        {
            Directory.Delete(folder, recursive: true);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= OnExit;
        Console.CancelKeyPress -= OnCancel;
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            await RunAsPostgresAsync(Path.Combine(_bin, "pg_ctl"), ["-D", Path.Combine(_folder, "data"), "-w", "-t", "60", "stop", "-m", "fast"]);
            Directory.Delete(_folder, recursive: true);
        }
    }

    private void OnCancel(object? sender, ConsoleCancelEventArgs e) => StopNow();

    private void OnExit(object? sender, EventArgs e) => StopNow();

    /// <summary>The process is ending before <see cref="DisposeAsync"/> ran: stop the server at once, without waiting for clients.</summary>
    private void StopNow()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            RunAsPostgresAsync(Path.Combine(_bin, "pg_ctl"), ["-D", Path.Combine(_folder, "data"), "-w", "stop", "-m", "immediate"]).GetAwaiter().GetResult();
            Directory.Delete(_folder, recursive: true);
        }
    }

    /// <summary>The newest /usr/lib/postgresql/&lt;version&gt;/bin holding initdb, as tests/run.sh finds it.</summary>
    private static string? FindBin() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(b => File.Exists(Path.Combine(b, "initdb")))
                .OrderByDescending(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;

    private static Task RunAsPostgresAsync(string program, IReadOnlyList<string> arguments) =>
        Environment.UserName == "root" ? Command.RunAsync("runuser", ["-u", "postgres", "--", program, .. arguments]) : Command.RunAsync(program, arguments);

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
