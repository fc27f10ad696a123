using System.Diagnostics;
using System.Reflection;
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

    private readonly AppProcesses _processes;
    private Process? _process;

    public SecretAdminServer()
    {
        _processes = new AppProcesses("the app", Executable, RepositoryRoot.Path, new Dictionary<string, string>
        {
            ["SecretAdmin__DataDirectory"] = DataDirectory,
            ["ASPNETCORE_ENVIRONMENT"] = "Development",

            // Links in mail point here; the outbox looks for mail often, so a test waits little for it.
            ["SecretAdmin__PublicUrl"] = BaseUrl,
            ["SecretAdmin__Mail__PollInterval"] = "00:00:00.250",
        });
    }

    /// <summary>A new one per run; never a secret worth keeping.</summary>
    public string AdminPassword { get; } = $"E2e-admin-{Guid.NewGuid():N}";

    public string DataDirectory { get; } =
        Path.Combine(Path.GetTempPath(), "secretadmin-e2e", Guid.NewGuid().ToString("N"));

    public int Port { get; } = AppProcesses.FreeLoopbackPort();

    /// <summary>http://127.0.0.1:{Port}, without a trailing slash.</summary>
    public string BaseUrl => $"http://127.0.0.1:{Port}";

    /// <summary>The build output the tests run: src/SecretAdmin/bin/{Configuration}/net10.0/SecretAdmin.dll.</summary>
    public static string Executable { get; } = Path.Combine(
        RepositoryRoot.Path, "src", "SecretAdmin", "bin",
        typeof(SecretAdminServer).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug",
        "net10.0", "SecretAdmin.dll");

    /// <summary>Everything the app (and the CLI before it) wrote to stdout and stderr so far, for failure messages.</summary>
    public string Log => _processes.Log;

    public async Task InitializeAsync()
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"{Executable} does not exist: build the solution first (tests/run.sh does).");
        }

        Directory.CreateDirectory(DataDirectory);
        await CreateAdminAsync();
        _process = await _processes.StartWebAppAsync(BaseUrl, StartTimeout);
    }

    public async Task DisposeAsync()
    {
        await AppProcesses.StopAsync(_process);
        AppProcesses.DeleteFolder(DataDirectory);
    }

    /// <summary>The end of <see cref="Log"/>, for an assertion message.</summary>
    public string LogTail(int characters = 4000) => _processes.LogTail(characters);

    /// <summary>The app's SQLite database, in <see cref="DataDirectory"/>.</summary>
    public string DatabaseFile => Path.Combine(DataDirectory, "secretadmin.db");

    /// <summary>
    /// Runs the command line as an operator would, with the app's environment and data folder (also
    /// while the app runs), writing <paramref name="standardInput"/> (a secret for a --…-stdin option)
    /// to its stdin; throws with its output when it does not exit with 0. Returns its output.
    /// </summary>
    public Task<string> RunCliAsync(IReadOnlyList<string> arguments, string? standardInput = null) =>
        _processes.RunCliAsync(arguments, standardInput);

    /// <summary>`echo password | SecretAdmin admin create --email admin@example.test --password-stdin`.</summary>
    private Task CreateAdminAsync() => RunCliAsync(["admin", "create", "--email", AdminEmail, "--password-stdin"], AdminPassword);
}
