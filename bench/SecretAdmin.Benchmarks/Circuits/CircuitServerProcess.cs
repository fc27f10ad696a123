using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Threading.Channels;

namespace SecretAdmin.Benchmarks.Circuits;

/// <summary>
/// A <see cref="CircuitServer"/> child process on a free loopback port, with server GC as the app
/// runs. Disposing closes its input (it stops) and kills it if it has not exited within 10 s.
/// </summary>
internal sealed class CircuitServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan MeasureTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly Channel<string> _answers = Channel.CreateUnbounded<string>();
    private readonly Queue<string> _logTail = new();

    private CircuitServerProcess(Process process, string baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
    }

    /// <summary>http://127.0.0.1:{port}, without a trailing slash.</summary>
    public string BaseUrl { get; }

    public int ProcessId => _process.Id;

    public static async Task<CircuitServerProcess> StartAsync(string dataDirectory, string contentRoot)
    {
        var baseUrl = $"http://127.0.0.1:{FreeLoopbackPort()}";
        var start = new ProcessStartInfo
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = contentRoot,
        };
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("The benchmark's own executable is unknown.");
        start.FileName = self;
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(CircuitServerProcess).Assembly.Location);
        }

        foreach (var argument in new[] { "p4-serve", dataDirectory, baseUrl, contentRoot })
        {
            start.ArgumentList.Add(argument);
        }

        // Settings from the shell must not change the app under measurement.
        foreach (var name in start.Environment.Keys.Where(IsInheritedSetting).ToList())
        {
            start.Environment.Remove(name);
        }

        // The app runs with server GC (the Web SDK's default); so does the measured server.
        start.Environment["DOTNET_gcServer"] = "1";
        var process = Process.Start(start) ?? throw new InvalidOperationException("The P4 server process did not start.");
        var server = new CircuitServerProcess(process, baseUrl);
        process.OutputDataReceived += (_, line) => server.Received(line.Data);
        process.ErrorDataReceived += (_, line) => server.Log(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var ready = await server.NextAnswerAsync(StartTimeout);
        return ready == CircuitServer.ReadyLine
            ? server
            : throw new InvalidOperationException($"The P4 server did not start: {ready}\n{server.LogTail()}");
    }

    /// <summary>Has the server collect its garbage in full and report its memory and circuits.</summary>
    public async Task<ServerMemory> MeasureAsync()
    {
        await _process.StandardInput.WriteLineAsync(CircuitServer.MeasureCommand);
        await _process.StandardInput.FlushAsync();
        var answer = await NextAnswerAsync(MeasureTimeout);
        return answer.StartsWith(CircuitServer.MemoryPrefix, StringComparison.Ordinal)
            ? JsonSerializer.Deserialize<ServerMemory>(answer[CircuitServer.MemoryPrefix.Length..])!
            : throw new InvalidOperationException($"The P4 server did not report its memory: {answer}\n{LogTail()}");
    }

    /// <summary>The last lines the server wrote, for a failure message.</summary>
    public string LogTail()
    {
        lock (_logTail)
        {
            return string.Join('\n', _logTail);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception exception) when (exception is TimeoutException or IOException or InvalidOperationException)
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
    }

    private async Task<string> NextAnswerAsync(TimeSpan timeout)
    {
        using var waited = new CancellationTokenSource(timeout);
        try
        {
            return await _answers.Reader.ReadAsync(waited.Token);
        }
        catch (OperationCanceledException)
        {
            return $"no answer within {timeout.TotalSeconds:0} s";
        }
        catch (ChannelClosedException)
        {
            return $"the process exited{(_process.HasExited ? $" with code {_process.ExitCode}" : "")}";
        }
    }

    private void Received(string? line)
    {
        if (line is null)
        {
            _answers.Writer.TryComplete();
        }
        else if (line == CircuitServer.ReadyLine || line.StartsWith(CircuitServer.MemoryPrefix, StringComparison.Ordinal))
        {
            _answers.Writer.TryWrite(line);
        }
        else
        {
            Log(line);
        }
    }

    private void Log(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_logTail)
        {
            _logTail.Enqueue(line);
            if (_logTail.Count > 40)
            {
                _logTail.Dequeue();
            }
        }
    }

    private static bool IsInheritedSetting(string name) =>
        name.StartsWith("SecretAdmin__", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("DOTNET_gc", StringComparison.OrdinalIgnoreCase)
        || name.Equals("DOTNET_ENVIRONMENT", StringComparison.OrdinalIgnoreCase)
        || name.Equals("URLS", StringComparison.OrdinalIgnoreCase);

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
