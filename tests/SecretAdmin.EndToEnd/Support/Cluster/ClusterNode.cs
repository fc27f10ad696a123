using System.Diagnostics;
using SecretAdmin.Tests.Support;

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

    private readonly AppProcesses _processes;
    private Process? _process;

    public ClusterNode(string name, PublishedBuild build, string connectionString)
    {
        Name = name;
        Directory.CreateDirectory(DataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        // As the systemd unit runs it (deploy/secretadmin.service: WorkingDirectory=/opt/secretadmin).
        _processes = new AppProcesses(name, build.Executable, build.Folder, new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["SecretAdmin__DataDirectory"] = DataDirectory,
            ["SecretAdmin__Database__Provider"] = "postgres",
            ["SecretAdmin__Database__ConnectionString"] = connectionString,
            ["ForwardedHeaders__KnownProxies__0"] = "127.0.0.1",
        });
    }

    /// <summary>The name its haproxy `server` line and `SRV` cookie use, such as node-a.</summary>
    public string Name { get; }

    public int Port { get; } = AppProcesses.FreeLoopbackPort();

    /// <summary>http://127.0.0.1:{Port}: where haproxy reaches it (the browsers never do).</summary>
    public string BaseUrl => $"http://127.0.0.1:{Port}";

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "secretadmin-e2e", $"node-{Guid.NewGuid():N}");

    /// <summary>&lt;data&gt;/keys/master.key, the master key's default place.</summary>
    public string MasterKeyFile => Path.Combine(DataDirectory, "keys", "master.key");

    /// <summary>Everything the node and the commands run for it wrote so far.</summary>
    public string Log => _processes.Log;

    /// <summary>Runs a command of the published executable with this node's settings; throws with its output unless it exits with 0.</summary>
    public Task RunCliAsync(IReadOnlyList<string> arguments, string? standardInput = null) =>
        _processes.RunCliAsync(arguments, standardInput);

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
    public async Task StartAsync() => _process = await _processes.StartWebAppAsync(BaseUrl, StartTimeout);

    /// <summary>Ends the node as a power cut or the OOM killer would: SIGKILL, nothing shut down in order.</summary>
    public async Task KillAsync()
    {
        var process = _process ?? throw new InvalidOperationException($"{Name} has not been started.");
        process.Kill(); // SIGKILL on Linux
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        _processes.Note($"[{Name} killed with SIGKILL]");
    }

    public async ValueTask DisposeAsync()
    {
        await AppProcesses.StopAsync(_process);
        AppProcesses.DeleteFolder(DataDirectory);
    }
}
