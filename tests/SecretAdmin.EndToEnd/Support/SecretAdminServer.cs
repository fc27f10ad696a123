using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.EndToEnd.Support;

/// <summary>
/// The real SecretAdmin executable serving http://127.0.0.1:{port}, one per test class (an xunit class
/// fixture): the build output of src/SecretAdmin run with `dotnet`, the repository root as working
/// directory (so the top-level wwwroot/ and appsettings.Development.json are used), a fresh data
/// folder, and the Development environment. Before it starts, the first administrator is created
/// with the CLI, as an operator would. Disposing kills the process and deletes the data folder.
/// </summary>
public sealed class SecretAdminServer : IAsyncLifetime
{
    public const string AdminEmail = "admin@example.test";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly object _gate = new();
    private readonly StringBuilder _log = new();
    private Process? _process;

    /// <summary>A new one per run; never a secret worth keeping.</summary>
    public string AdminPassword { get; } = $"E2e-admin-{Guid.NewGuid():N}";

    public string DataDirectory { get; } =
        Path.Combine(Path.GetTempPath(), "secretadmin-e2e", Guid.NewGuid().ToString("N"));

    public int Port { get; private set; }

    /// <summary>http://127.0.0.1:{Port}, without a trailing slash.</summary>
    public string BaseUrl => $"http://127.0.0.1:{Port}";

    /// <summary>The build output the tests run: src/SecretAdmin/bin/{Configuration}/net10.0/SecretAdmin.dll.</summary>
    public static string Executable { get; } = Path.Combine(
        RepositoryRoot.Path, "src", "SecretAdmin", "bin",
        typeof(SecretAdminServer).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug",
        "net10.0", "SecretAdmin.dll");

    /// <summary>Everything the app (and the CLI before it) wrote to stdout and stderr so far, for failure messages.</summary>
    public string Log
    {
        get
        {
            lock (_gate)
            {
                return _log.ToString();
            }
        }
    }

    public async Task InitializeAsync()
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"{Executable} does not exist: build the solution first (tests/run.sh does).");
        }

        Directory.CreateDirectory(DataDirectory);
        await CreateAdminAsync();

        Port = FreeLoopbackPort();
        _process = Start(["--urls", BaseUrl]);
        await WaitUntilHealthyAsync(_process);
    }

    public async Task DisposeAsync()
    {
        if (_process is not null)
        {
            try
            {
                if (!_process.HasExited)
                {
                    _process.Kill(entireProcessTree: true);
                }

                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (Exception exception) when (exception is InvalidOperationException or TimeoutException)
            {
                // It exited meanwhile, or will shortly; the folder below may then stay behind in /tmp.
            }

            _process.Dispose();
        }

        try
        {
            if (Directory.Exists(DataDirectory))
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
        }
        catch (IOException)
        {
            // Something still holds a file; a leftover temp folder is not worth failing the run for.
        }
    }

    /// <summary>The end of <see cref="Log"/>, for an assertion message.</summary>
    public string LogTail(int characters = 4000)
    {
        var log = Log;
        return log.Length <= characters ? log : "…" + log[^characters..];
    }

    /// <summary>The app's SQLite database, in <see cref="DataDirectory"/>.</summary>
    public string DatabaseFile => Path.Combine(DataDirectory, "secretadmin.db");

    /// <summary>
    /// Runs the command line as an operator would, with the app's environment and data folder (also
    /// while the app runs), writing <paramref name="standardInput"/> (a secret for a --…-stdin option)
    /// to its stdin; throws with its output when it does not exit with 0. Returns its output.
    /// </summary>
    public async Task<string> RunCliAsync(IReadOnlyList<string> arguments, string? standardInput = null)
    {
        var output = new StringBuilder();
        using var cli = Start(arguments, redirectInput: true, alsoTo: line =>
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        });
        if (standardInput is not null)
        {
            await cli.StandardInput.WriteLineAsync(standardInput);
        }

        cli.StandardInput.Close();
        var command = $"`SecretAdmin {string.Join(' ', arguments)}`";
        using var timeout = new CancellationTokenSource(StartTimeout);
        try
        {
            await cli.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            cli.Kill(entireProcessTree: true);
            throw new TimeoutException($"{command} did not exit within {StartTimeout.TotalSeconds:0} s. Output:\n{Captured()}");
        }

        cli.WaitForExit(); // drains the asynchronous output readers
        return cli.ExitCode == 0
            ? Captured()
            : throw new InvalidOperationException($"{command} exited with code {cli.ExitCode}. Output:\n{Captured()}");

        string Captured()
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>`echo password | SecretAdmin admin create --email admin@example.test --password-stdin`.</summary>
    private Task CreateAdminAsync() => RunCliAsync(["admin", "create", "--email", AdminEmail, "--password-stdin"], AdminPassword);

    private Process Start(IEnumerable<string> arguments, bool redirectInput = false, Action<string>? alsoTo = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepositoryRoot.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Executable);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Settings from the developer's shell must not leak into the app under test.
        foreach (var name in start.Environment.Keys.Where(IsInheritedSetting).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["SecretAdmin__DataDirectory"] = DataDirectory;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";

        // Links in mail point here; the outbox looks for mail often, so a test waits little for it.
        start.Environment["SecretAdmin__PublicUrl"] = BaseUrl;
        start.Environment["SecretAdmin__Mail__PollInterval"] = "00:00:00.250";

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, line) => Append(line.Data, alsoTo);
        process.ErrorDataReceived += (_, line) => Append(line.Data, alsoTo);
        Append($"$ SecretAdmin {string.Join(' ', arguments)}");
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start `dotnet {Executable}`.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static bool IsInheritedSetting(string name) =>
        name.StartsWith("SecretAdmin__", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)
        || name.Equals("DOTNET_ENVIRONMENT", StringComparison.OrdinalIgnoreCase)
        || name.Equals("URLS", StringComparison.OrdinalIgnoreCase);

    private async Task WaitUntilHealthyAsync(Process app)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        var last = "no answer yet";
        while (deadline.Elapsed < StartTimeout)
        {
            if (app.HasExited)
            {
                throw new InvalidOperationException($"The app exited with code {app.ExitCode} before /healthz answered. Output:\n{LogTail()}");
            }

            try
            {
                using var response = await http.GetAsync($"{BaseUrl}/healthz");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }

                last = $"{(int)response.StatusCode} {response.ReasonPhrase}";
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                last = exception.Message;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"GET {BaseUrl}/healthz did not answer 200 within {StartTimeout.TotalSeconds:0} s (last: {last}). Output:\n{LogTail()}");
    }

    private void Append(string? line, Action<string>? alsoTo = null)
    {
        if (line is null)
        {
            return;
        }

        alsoTo?.Invoke(line);

        lock (_gate)
        {
            _log.AppendLine(line);
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
