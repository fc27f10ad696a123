using System.Diagnostics;
using SecretAdmin.Data;

namespace SecretAdmin.Benchmarks.Circuits;

/// <summary>
/// What every P4 run shares: a data folder whose first administrator was created with the command
/// line, the browser, and that administrator's session (signed in once, on a server of its own).
/// The servers of the runs use the same folder, so the session's cookie stays valid on each.
/// Disposing closes the browser and deletes the folder.
/// </summary>
internal sealed class SignedInAdmin : IAsyncDisposable
{
    public const string Email = "admin@example.test";

    private SignedInAdmin(string dataDirectory, CircuitBrowser browser, string session)
    {
        DataDirectory = dataDirectory;
        Browser = browser;
        Session = session;
    }

    public string DataDirectory { get; }

    public CircuitBrowser Browser { get; }

    /// <summary>The signed-in browser state (cookies) for new contexts.</summary>
    public string Session { get; }

    public static async Task<SignedInAdmin> CreateAsync(string repositoryRoot)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "secretadmin-bench", $"p4-{Guid.NewGuid():N}");
        var password = $"Bench-admin-{Guid.NewGuid():N}";
        CircuitBrowser? browser = null;
        try
        {
            await CreateAdminAsync(dataDirectory, repositoryRoot, password);
            browser = await CircuitBrowser.LaunchAsync();
            await using var server = await CircuitServerProcess.StartAsync(dataDirectory, repositoryRoot);
            var session = await browser.SignInAsync(server.BaseUrl, Email, password);
            return new SignedInAdmin(dataDirectory, browser, session);
        }
        catch
        {
            if (browser is not null)
            {
                await browser.DisposeAsync();
            }

            DeleteFolder(dataDirectory);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        DeleteFolder(DataDirectory);
    }

    /// <summary>`echo password | SecretAdmin admin create --email admin@example.test --password-stdin`, as an operator creates the first administrator.</summary>
    private static async Task CreateAdminAsync(string dataDirectory, string repositoryRoot, string password)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = repositoryRoot,
        };
        foreach (var argument in new[] { typeof(Program).Assembly.Location, "admin", "create", "--email", Email, "--password-stdin" })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["SecretAdmin__DataDirectory"] = dataDirectory;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        using var cli = Process.Start(start) ?? throw new InvalidOperationException("`SecretAdmin admin create` did not start.");
        await cli.StandardInput.WriteLineAsync(password);
        cli.StandardInput.Close();
        var output = cli.StandardOutput.ReadToEndAsync();
        var error = cli.StandardError.ReadToEndAsync();
        await cli.WaitForExitAsync();
        if (cli.ExitCode != 0)
        {
            throw new InvalidOperationException($"`SecretAdmin admin create` exited with code {cli.ExitCode}: {await output}{await error}");
        }
    }

    private static void DeleteFolder(string folder)
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
