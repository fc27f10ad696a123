using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace SecretAdmin.Tests.Support.Peers;

/// <summary>
/// A test peer written in Node.js (tests/peers/*.mjs) running as a child process on 127.0.0.1. The
/// script prints one JSON object per stdout line: first {"ready":true,"port":N,...}, then its events.
/// Its stdin stays open while the peer runs; closing it (or killing the process) stops the peer.
/// </summary>
public sealed class NodePeer : IAsyncDisposable, IDisposable
{
    /// <summary>
    /// How long one start of a peer may take to listen. Loading oidc-provider and making an RSA key takes
    /// about a second alone, but several peers start at once while other test classes keep both cores busy
    /// (100 sign-ins at once, builds of the app), and 30 s was seen to run out there; once, on a loaded
    /// 2-core machine, a peer printed nothing but oidc-provider's runtime warning for 90 s. So a start that
    /// runs out is killed and made once more: a peer gets at most twice this in all.
    /// </summary>
    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);

    private const string InstallHint = "run tests/run.sh, which installs the test peers (npm ci --prefix tests/peers)";

    private readonly Process _process;
    private readonly string _name;
    private readonly object _gate = new();
    private readonly List<JsonElement> _lines = [];
    private readonly HashSet<int> _taken = [];
    private readonly StringBuilder _stderr = new();
    private readonly StringBuilder _otherStdout = new();
    private readonly Task _stdoutPump;
    private readonly Task _stderrPump;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _stdoutEnded;
    private int _disposed;

    private NodePeer(Process process, string name)
    {
        _process = process;
        _name = name;
        _stdoutPump = Task.Run(PumpStdoutAsync);
        _stderrPump = Task.Run(PumpStderrAsync);
    }

    /// <summary>tests/peers, where the scripts and their node_modules live.</summary>
    public static string PeersDirectory { get; } = Path.Combine(RepositoryRoot.Path, "tests", "peers");

    /// <summary>The {"ready":true,...} line.</summary>
    public JsonElement Ready { get; private set; }

    public int Port => Ready.GetProperty("port").GetInt32();

    /// <summary>What the peer has written to stderr so far (its diagnostics).</summary>
    public string StandardError
    {
        get
        {
            lock (_gate)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Every JSON line it has printed so far, the ready line first.</summary>
    public IReadOnlyList<JsonElement> Lines
    {
        get
        {
            lock (_gate)
            {
                return [.. _lines];
            }
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>
    /// Starts `node tests/peers/{script} {arguments}` and waits up to <paramref name="readyTimeout"/>
    /// (<see cref="ReadyTimeout"/> when null) for its ready line. If it does not come, that process is killed
    /// and the peer started once more (said on stderr); if the second start does not print it either, the
    /// <see cref="TimeoutException"/> gives both attempts' stderr. A peer that exits before it is ready is not
    /// started again: that is its arguments or its installation, and a second start would say the same.
    /// </summary>
    public static async Task<NodePeer> StartAsync(string script, IEnumerable<string> arguments, TimeSpan? readyTimeout = null)
    {
        var scriptPath = Path.Combine(PeersDirectory, script);
        if (!File.Exists(scriptPath))
        {
            throw new InvalidOperationException($"Test peer script {scriptPath} does not exist.");
        }

        if (!Directory.Exists(Path.Combine(PeersDirectory, "node_modules")))
        {
            throw new InvalidOperationException(
                $"The test peers' npm packages are not installed ({Path.Combine(PeersDirectory, "node_modules")} is missing): {InstallHint}.");
        }

        var node = FindOnPath("node") ?? throw new InvalidOperationException(
            "Node.js (the `node` command, version 20 or later, with npm) is needed to run the test peers but was not found on PATH. "
            + $"Install it (for example `apt-get install nodejs npm`), then {InstallHint}.");

        var start = new ProcessStartInfo(node)
        {
            WorkingDirectory = PeersDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(scriptPath);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var name = Path.GetFileNameWithoutExtension(script);
        var timeout = readyTimeout ?? ReadyTimeout;
        string? firstAttempt = null;
        while (true)
        {
            var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {node} {script}.");
            var peer = new NodePeer(process, name);
            try
            {
                peer.Ready = await peer.WaitForLineAsync(IsReadyLine, timeout, "its {\"ready\":true} line");
                return peer;
            }
            catch (TimeoutException) when (firstAttempt is null)
            {
                firstAttempt = await peer.KillAsync();
                Console.Error.WriteLine(
                    $"The {name} test peer did not print its {{\"ready\":true}} line within {timeout.TotalSeconds:0.#} s; it was killed and is started once more. "
                    + $"First attempt: {firstAttempt}");
            }
            catch (TimeoutException)
            {
                var secondAttempt = await peer.KillAsync();
                throw new TimeoutException(
                    $"The {name} test peer did not print its {{\"ready\":true}} line within {timeout.TotalSeconds:0.#} s, twice: the first start was killed "
                    + "and it was started once more. The machine may be overloaded (stop other builds and tests), or the peer stuck before it listens. "
                    + $"First attempt: {firstAttempt} Second attempt: {secondAttempt}");
            }
            catch
            {
                await peer.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>
    /// The first JSON line matching <paramref name="predicate"/> that no earlier wait returned,
    /// waiting up to <paramref name="timeout"/> for it to arrive. Each line is returned once.
    /// </summary>
    public async Task<JsonElement> WaitForLineAsync(Func<JsonElement, bool> predicate, TimeSpan timeout, string description)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                for (var i = 0; i < _lines.Count; i++)
                {
                    if (!_taken.Contains(i) && predicate(_lines[i]))
                    {
                        _taken.Add(i);
                        return _lines[i];
                    }
                }

                if (_stdoutEnded)
                {
                    break;
                }

                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                throw new TimeoutException($"The {_name} test peer did not print {description} within {timeout.TotalSeconds:0.#} s. {Diagnostics()}");
            }
        }

        // Its stdout ended: the process has exited or is about to.
        await Task.WhenAny(_process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(5)));
        await Task.WhenAny(_stderrPump, Task.Delay(TimeSpan.FromSeconds(2)));
        var exit = _process.HasExited ? $"exited with code {_process.ExitCode}" : "closed its stdout";
        throw new InvalidOperationException($"The {_name} test peer {exit} before it printed {description}. {Diagnostics()}");
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Closing stdin asks the peer to stop; kill it (and anything it started) if it does not.
        try
        {
            _process.StandardInput.Close();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(3));
        }
        catch (Exception exception) when (exception is TimeoutException or IOException or InvalidOperationException)
        {
            Kill();
        }

        await Task.WhenAny(Task.WhenAll(_stdoutPump, _stderrPump), Task.Delay(TimeSpan.FromSeconds(2)));
        _process.Dispose();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Kill();
        _process.WaitForExit(5000);
        _process.Dispose();
    }

    /// <summary>Kills a peer that did not get ready and returns its diagnostics, with whatever it wrote until it died.</summary>
    private async Task<string> KillAsync()
    {
        Kill();
        await Task.WhenAny(_process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(5)));
        await Task.WhenAny(Task.WhenAll(_stdoutPump, _stderrPump), Task.Delay(TimeSpan.FromSeconds(2)));
        var diagnostics = Diagnostics();
        await DisposeAsync();
        return diagnostics;
    }

    private static bool IsReadyLine(JsonElement line) =>
        line.ValueKind == JsonValueKind.Object
        && line.TryGetProperty("ready", out var ready)
        && ready.ValueKind == JsonValueKind.True
        && line.TryGetProperty("port", out var port)
        && port.ValueKind == JsonValueKind.Number;

    private static string? FindOnPath(string command)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var folder in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, command);
            if (File.Exists(candidate)
                && (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0)
            {
                return candidate;
            }
        }

        return null;
    }

    private void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // It exited meanwhile.
        }
    }

    private string Diagnostics()
    {
        lock (_gate)
        {
            var stderr = _stderr.Length == 0 ? "(nothing)" : _stderr.ToString().Trim();
            var other = _otherStdout.Length == 0 ? string.Empty : $" Non-JSON stdout: {_otherStdout.ToString().Trim()}";
            return $"Its stderr: {stderr}{other}";
        }
    }

    private async Task PumpStdoutAsync()
    {
        try
        {
            while (await _process.StandardOutput.ReadLineAsync() is { } line)
            {
                JsonElement? parsed = null;
                if (line.StartsWith('{'))
                {
                    try
                    {
                        using var document = JsonDocument.Parse(line);
                        parsed = document.RootElement.Clone();
                    }
                    catch (JsonException)
                    {
                        parsed = null;
                    }
                }

                lock (_gate)
                {
                    if (parsed is { } element)
                    {
                        _lines.Add(element);
                    }
                    else
                    {
                        _otherStdout.AppendLine(line);
                    }

                    Pulse();
                }
            }
        }
        catch (Exception exception) when (exception is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The process went away under us; treat it as the end of its output.
        }
        finally
        {
            lock (_gate)
            {
                _stdoutEnded = true;
                Pulse();
            }
        }
    }

    private async Task PumpStderrAsync()
    {
        try
        {
            while (await _process.StandardError.ReadLineAsync() is { } line)
            {
                lock (_gate)
                {
                    _stderr.AppendLine(line);
                }
            }
        }
        catch (Exception exception) when (exception is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The process went away under us.
        }
    }

    /// <summary>Wakes every waiter; called with <see cref="_gate"/> held.</summary>
    private void Pulse()
    {
        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }
}
