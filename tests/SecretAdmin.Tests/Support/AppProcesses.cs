using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SecretAdmin.Tests.Support;

/// <summary>
/// The processes of one SecretAdmin instance under test: the web app and the commands run for it, all
/// started as `dotnet {executable} …` from one working folder with one set of settings, none inherited
/// from the developer's shell. Everything they write is kept in <see cref="Log"/> for failure messages.
/// </summary>
public sealed class AppProcesses(string name, string executable, string workingDirectory, IReadOnlyDictionary<string, string> environment)
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);

    private readonly StringBuilder _log = new();

    /// <summary>Everything the app and the commands run for it wrote so far.</summary>
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

    /// <summary>The end of <see cref="Log"/>, for an assertion message.</summary>
    public string LogTail(int characters = 4000)
    {
        var log = Log;
        return log.Length <= characters ? log : "…" + log[^characters..];
    }

    /// <summary>
    /// Runs a command as an operator would, writing <paramref name="standardInput"/> (a secret for a
    /// --…-stdin option) to its stdin; throws with its output when it does not exit with 0. Returns its output.
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
        var command = $"`SecretAdmin {string.Join(' ', arguments)}` on {name}";
        using var timeout = new CancellationTokenSource(CommandTimeout);
        try
        {
            await cli.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            cli.Kill(entireProcessTree: true);
            throw new TimeoutException($"{command} did not exit within {CommandTimeout.TotalSeconds:0} s. Output:\n{Captured()}");
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

    /// <summary>Starts the web app on <paramref name="baseUrl"/> and waits until its /healthz answers 200.</summary>
    public async Task<Process> StartWebAppAsync(string baseUrl, TimeSpan timeout)
    {
        var app = Start(["--urls", baseUrl]);
        try
        {
            await WaitUntilHealthyAsync(app, baseUrl, timeout);
            return app;
        }
        catch
        {
            await StopAsync(app);
            throw;
        }
    }

    /// <summary>Kills a process started here (its whole tree) and waits a little for it to go.</summary>
    public static async Task StopAsync(Process? process)
    {
        if (process is null)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception exception) when (exception is InvalidOperationException or TimeoutException)
        {
            // It exited meanwhile, or will shortly.
        }

        process.Dispose();
    }

    /// <summary>Deletes a data folder; a leftover temp folder is not worth failing the run for.</summary>
    public static void DeleteFolder(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (IOException)
        {
            // Something still holds a file.
        }
    }

    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Adds a line to <see cref="Log"/>, such as a note that the test killed the app.</summary>
    public void Note(string line) => Append(line);

    private Process Start(IEnumerable<string> arguments, bool redirectInput = false, Action<string>? alsoTo = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(executable);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var inherited in start.Environment.Keys.Where(IsInheritedSetting).ToList())
        {
            start.Environment.Remove(inherited);
        }

        foreach (var (setting, value) in environment)
        {
            start.Environment[setting] = value;
        }

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, line) => Append(line.Data, alsoTo);
        process.ErrorDataReceived += (_, line) => Append(line.Data, alsoTo);
        Append($"$ SecretAdmin {string.Join(' ', arguments)}");
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start `dotnet {executable}` for {name}.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static bool IsInheritedSetting(string setting) =>
        setting.StartsWith("SecretAdmin__", StringComparison.OrdinalIgnoreCase)
        || setting.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)
        || setting.StartsWith("ForwardedHeaders__", StringComparison.OrdinalIgnoreCase)
        || setting.Equals("DOTNET_ENVIRONMENT", StringComparison.OrdinalIgnoreCase)
        || setting.Equals("URLS", StringComparison.OrdinalIgnoreCase);

    private async Task WaitUntilHealthyAsync(Process app, string baseUrl, TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await WaitUntilAnswersAsync(app, http, $"{baseUrl}/healthz", timeout, name, () => LogTail());
    }

    /// <summary>
    /// Asks <paramref name="url"/> every 200 ms until it answers 200; throws with <paramref name="log"/>
    /// when <paramref name="app"/> exits first or <paramref name="timeout"/> passes.
    /// </summary>
    public static async Task WaitUntilAnswersAsync(Process app, HttpClient client, string url, TimeSpan timeout, string name, Func<string> log)
    {
        var deadline = Stopwatch.StartNew();
        var last = "no answer yet";
        while (deadline.Elapsed < timeout)
        {
            if (app.HasExited)
            {
                throw new InvalidOperationException($"{name} exited with code {app.ExitCode} before {url} answered. Output:\n{log()}");
            }

            try
            {
                using var response = await client.GetAsync(url);
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

        throw new TimeoutException($"GET {url} on {name} did not answer 200 within {timeout.TotalSeconds:0} s (last: {last}). Output:\n{log()}");
    }

    private void Append(string? line, Action<string>? alsoTo = null)
    {
        if (line is null)
        {
            return;
        }

        alsoTo?.Invoke(line);
        lock (_log)
        {
            _log.AppendLine(line);
        }
    }
}
