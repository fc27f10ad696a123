using System.Diagnostics;
using System.Text;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.EndToEnd.Support.Cluster;

/// <summary>
/// `dotnet publish src/SecretAdmin -c Release -o &lt;temp&gt;`: what an operator deploys (README, Deploy), so
/// the rehearsal runs the same files rather than the Debug build the other browser tests use. Without
/// the deploy's ReadyToRun step, which precompiles the same code and changes only how fast it starts.
/// Made once by the fixture that needs it; disposing deletes the folder.
/// </summary>
public sealed class PublishedBuild : IDisposable
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(5);

    private PublishedBuild(string folder) => Folder = folder;

    public string Folder { get; }

    /// <summary>The entry point a node runs: `dotnet &lt;folder&gt;/SecretAdmin.dll`.</summary>
    public string Executable => Path.Combine(Folder, "SecretAdmin.dll");

    public static async Task<PublishedBuild> PublishAsync()
    {
        var build = new PublishedBuild(Path.Combine(Path.GetTempPath(), "secretadmin-e2e", $"publish-{Guid.NewGuid():N}"));
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepositoryRoot.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "publish", Path.Combine("src", "SecretAdmin"), "-c", "Release", "-o", build.Folder, "--nologo" })
        {
            start.ArgumentList.Add(argument);
        }

        // The test host's MSBuild variables would point this build at the test run's own MSBuild state.
        foreach (var name in start.Environment.Keys.Where(n => n.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        var output = new StringBuilder();
        using var publish = new Process { StartInfo = start };
        publish.OutputDataReceived += (_, line) => Append(line.Data);
        publish.ErrorDataReceived += (_, line) => Append(line.Data);
        publish.Start();
        publish.BeginOutputReadLine();
        publish.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(PublishTimeout);
        try
        {
            await publish.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            publish.Kill(entireProcessTree: true);
            build.Dispose();
            throw new TimeoutException($"`dotnet publish src/SecretAdmin -c Release` did not finish within {PublishTimeout.TotalMinutes:0} minutes. Output:\n{Captured()}");
        }

        publish.WaitForExit();
        if (publish.ExitCode != 0 || !File.Exists(build.Executable))
        {
            build.Dispose();
            throw new InvalidOperationException($"`dotnet publish src/SecretAdmin -c Release` exited with code {publish.ExitCode}. Output:\n{Captured()}");
        }

        return build;

        void Append(string? line)
        {
            if (line is not null)
            {
                lock (output)
                {
                    output.AppendLine(line);
                }
            }
        }

        string Captured()
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    public void Dispose()
    {
        try
        {
            if (Directory.Exists(Folder))
            {
                Directory.Delete(Folder, recursive: true);
            }
        }
        catch (IOException)
        {
            // A file still held open; a leftover temp folder is not worth failing the run for.
        }
    }
}
