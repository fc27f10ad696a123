using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace SecretAdmin.Benchmarks.SignInLoad;

/// <summary>
/// The app as an operator runs it: published in Release, started as its own process on a free
/// loopback port with its embedded defaults (Production) and only the data folder and the database
/// engine set; its standard output and error go to a log file.
/// </summary>
internal sealed class AppUnderTest : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Task _copyOutput;
    private readonly Task _copyError;
    private bool _disposed;

    private AppUnderTest(Process process, StreamWriter log, Uri address, string logFile)
    {
        _process = process;
        _log = log;
        Address = address;
        LogFile = logFile;
        _copyOutput = CopyAsync(process.StandardOutput);
        _copyError = CopyAsync(process.StandardError);
    }

    public Uri Address { get; }

    public string LogFile { get; }

    public int ProcessId => _process.Id;

    /// <summary>src/SecretAdmin published into <paramref name="output"/> as README.md deploys it (<see cref="Publish"/>).</summary>
    public static Task PublishAsync(string repositoryRoot, string output) =>
        Publish.ProjectAsync(Path.Combine(repositoryRoot, "src", "SecretAdmin", "SecretAdmin.csproj"), output);

    /// <summary>Starts the published app on <paramref name="dataFolder"/> and <paramref name="database"/>, and waits until <c>/healthz</c> answers 200.</summary>
    /// <param name="environment">More environment variables for the app, such as log levels.</param>
    public static Task<AppUnderTest> StartAsync(string published, string dataFolder, BenchDatabase database, string logFile, IEnumerable<KeyValuePair<string, string>>? environment = null)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal) { ["SecretAdmin__DataDirectory"] = dataFolder };
        foreach (var (name, value) in database.EnvironmentVariables)
        {
            settings[name] = value ?? "";
        }

        foreach (var (name, value) in environment ?? [])
        {
            settings[name] = value;
        }

        return StartAsync(published, "SecretAdmin.dll", settings, "/healthz", logFile);
    }

    /// <summary>
    /// Starts a published ASP.NET Core app (<paramref name="assembly"/> in <paramref name="published"/>,
    /// its working directory) in Production on a free loopback port, with <paramref name="environment"/>
    /// added, and waits until <paramref name="readyPath"/> answers 200.
    /// </summary>
    public static async Task<AppUnderTest> StartAsync(string published, string assembly, IReadOnlyDictionary<string, string> environment, string readyPath, string logFile)
    {
        var address = new Uri($"http://127.0.0.1:{FreePort()}");
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = published,
        };
        start.ArgumentList.Add(Path.Combine(published, assembly));
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(address.ToString().TrimEnd('/'));
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var log = new StreamWriter(logFile) { AutoFlush = true };
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{assembly} did not start.");
        var app = new AppUnderTest(process, log, address, logFile);
        try
        {
            await app.WaitUntilReadyAsync(readyPath, TimeSpan.FromSeconds(60));
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the app (SIGKILL: nothing of it is measured after the run) and waits for its log.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        await Task.WhenAll(_copyOutput, _copyError);
        await _log.DisposeAsync();
        _process.Dispose();
    }

    private async Task WaitUntilReadyAsync(string readyPath, TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
        var waited = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The app exited with code {_process.ExitCode} before answering {readyPath}; see {LogFile}.");
            }

            try
            {
                using var response = await client.GetAsync(readyPath);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Not answering yet.
            }

            if (waited.Elapsed > timeout)
            {
                throw new TimeoutException($"The app did not answer {readyPath} with 200 within {timeout.TotalSeconds:F0} s; see {LogFile}.");
            }

            await Task.Delay(200);
        }
    }

    private async Task CopyAsync(StreamReader from)
    {
        while (await from.ReadLineAsync() is { } line)
        {
            lock (_log)
            {
                _log.WriteLine(line);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
