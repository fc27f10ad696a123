using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SecretAdmin.EndToEnd.Support.Cluster;

/// <summary>
/// One node of a cluster as README's "Run several nodes" sets it up: the published build run with
/// `dotnet SecretAdmin.dll --urls http://127.0.0.1:{port}` from the publish folder, in the Production
/// environment, with a data folder of its own (0700), the shared PostgreSQL database from the environment
/// and the proxy on loopback as its only trusted proxy. Disposing kills it and deletes its data folder.
/// </summary>
public sealed class ClusterNode : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly PublishedBuild _build;
    private readonly string _connectionString;
    private readonly StringBuilder _log = new();
    private Process? _process;

    public ClusterNode(string name, PublishedBuild build, string connectionString)
    {
        Name = name;
        _build = build;
        _connectionString = connectionString;
        Directory.CreateDirectory(DataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Port = FreeLoopbackPort();
    }

    /// <summary>The name its haproxy `server` line and `SRV` cookie use, such as node-a.</summary>
    public string Name { get; }

    public int Port { get; }

    /// <summary>http://127.0.0.1:{Port}: where haproxy reaches it (the browsers never do).</summary>
    public string BaseUrl => $"http://127.0.0.1:{Port}";

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "secretadmin-e2e", $"node-{Guid.NewGuid():N}");

    /// <summary>&lt;data&gt;/keys/master.key, the master key's default place.</summary>
    public string MasterKeyFile => Path.Combine(DataDirectory, "keys", "master.key");

    /// <summary>Everything the node and the commands run for it wrote so far.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Runs a command of the published executable with this node's settings; throws with its output unless it exits with 0.</summary>
    public async Task RunCliAsync(IReadOnlyList<string> arguments, string? standardInput = null)
    {
        using var cli = Start(arguments, redirectInput: true);
        if (standardInput is not null)
        {
            await cli.StandardInput.WriteLineAsync(standardInput);
        }

        cli.StandardInput.Close();
        using var timeout = new CancellationTokenSource(StartTimeout);
        try
        {
            await cli.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            cli.Kill(entireProcessTree: true);
            throw new TimeoutException($"`SecretAdmin {arguments[0]} {arguments[1]}` on {Name} did not exit within {StartTimeout.TotalSeconds:0} s. Output:\n{Log}");
        }

        cli.WaitForExit();
        if (cli.ExitCode != 0)
        {
            throw new InvalidOperationException($"`SecretAdmin {arguments[0]} {arguments[1]}` on {Name} exited with code {cli.ExitCode}. Output:\n{Log}");
        }
    }

    /// <summary>
    /// Gives this node <paramref name="other"/>'s master key as README says: copied into
    /// &lt;data&gt;/keys/master.key, mode 0600 in a 0700 folder.
    /// </summary>
    public void CopyMasterKeyFrom(ClusterNode other)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(MasterKeyFile)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.Copy(other.MasterKeyFile, MasterKeyFile);
        File.SetUnixFileMode(MasterKeyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    /// <summary>Starts the web app and waits until its /healthz answers 200.</summary>
    public async Task StartAsync()
    {
        _process = Start(["--urls", BaseUrl]);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        var last = "no answer yet";
        while (deadline.Elapsed < StartTimeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode} before /healthz answered. Output:\n{Log}");
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

            await Task.Delay(250);
        }

        throw new TimeoutException($"GET {BaseUrl}/healthz on {Name} did not answer 200 within {StartTimeout.TotalSeconds:0} s (last: {last}). Output:\n{Log}");
    }

    /// <summary>Ends the node as a power cut or the OOM killer would: SIGKILL, nothing shut down in order.</summary>
    public async Task KillAsync()
    {
        var process = _process ?? throw new InvalidOperationException($"{Name} has not been started.");
        process.Kill(); // SIGKILL on Linux
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Append($"[{Name} killed with SIGKILL]");
    }

    public async ValueTask DisposeAsync()
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
                // It exited meanwhile, or will shortly.
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

    private Process Start(IEnumerable<string> arguments, bool redirectInput = false)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            // As the systemd unit runs it (deploy/secretadmin.service: WorkingDirectory=/opt/secretadmin).
            WorkingDirectory = _build.Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(_build.Executable);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Settings from the developer's shell must not leak into the nodes.
        foreach (var name in start.Environment.Keys.Where(IsInheritedSetting).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["SecretAdmin__DataDirectory"] = DataDirectory;
        start.Environment["SecretAdmin__Database__Provider"] = "postgres";
        start.Environment["SecretAdmin__Database__ConnectionString"] = _connectionString;
        start.Environment["ForwardedHeaders__KnownProxies__0"] = "127.0.0.1";

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, line) => Append(line.Data);
        process.ErrorDataReceived += (_, line) => Append(line.Data);
        Append($"$ SecretAdmin {string.Join(' ', arguments)}");
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start `dotnet {_build.Executable}` for {Name}.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static bool IsInheritedSetting(string name) =>
        name.StartsWith("SecretAdmin__", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("ForwardedHeaders__", StringComparison.OrdinalIgnoreCase)
        || name.Equals("DOTNET_ENVIRONMENT", StringComparison.OrdinalIgnoreCase)
        || name.Equals("URLS", StringComparison.OrdinalIgnoreCase);

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
