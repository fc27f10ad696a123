using System.Diagnostics;
using System.Text;
using SecretAdmin.Hosting;

namespace SecretAdmin.Tests.Support;

/// <summary>Runs the built SecretAdmin executable as a child process, as an operator would.</summary>
public static class AppProcess
{
    public sealed record Result(int ExitCode, string Output, string Error);

    /// <summary>
    /// The variable tests/run.sh sets to a ReadyToRun publish of the app it made from the same build, so
    /// that the many processes these tests start spend less time compiling: the path of its SecretAdmin.dll.
    /// </summary>
    public const string ExecutableVariable = "SECRETADMIN_TEST_EXECUTABLE";

    /// <summary>The SecretAdmin.dll the tests run with `dotnet`: the one <see cref="ExecutableVariable"/> names, or the build output.</summary>
    public static string Executable { get; } = Environment.GetEnvironmentVariable(ExecutableVariable) switch
    {
        { Length: > 0 } path when File.Exists(path) => path,
        { Length: > 0 } path => throw new InvalidOperationException($"{ExecutableVariable} names {path}, which does not exist."),
        _ => typeof(Program).Assembly.Location,
    };

    /// <param name="standardInput">Text written to the program's standard input (a password for <c>--password-stdin</c>), then closed.</param>
    public static Task<Result> RunAsync(TempDataDirectory data, IEnumerable<string> args, IDictionary<string, string>? environment = null, string? standardInput = null) =>
        RunAsync(data, args, standardInput is null ? null : Encoding.UTF8.GetBytes(standardInput), environment);

    /// <param name="standardInput">Bytes written as they are to the program's standard input (which need not be valid UTF-8), then closed.</param>
    public static async Task<Result> RunAsync(TempDataDirectory data, IEnumerable<string> args, byte[]? standardInput, IDictionary<string, string>? environment = null)
    {
        var start = StartInfo(data, args, environment);
        using var process = Process.Start(start)!;
        if (standardInput is not null)
        {
            await process.StandardInput.BaseStream.WriteAsync(standardInput);
        }

        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"SecretAdmin {string.Join(' ', args)} did not exit within 60 s. Output: {await output} {await error}");
        }

        return new Result(process.ExitCode, await output, await error);
    }

    /// <summary>
    /// Starts a command without waiting for it, for a test that stops it itself (for example with
    /// SIGKILL); its standard error is the test's to read.
    /// </summary>
    public static Process Start(TempDataDirectory data, IEnumerable<string> args)
    {
        var start = StartInfo(data, args, environment: null);
        start.RedirectStandardInput = false;
        start.RedirectStandardOutput = false;
        return Process.Start(start)!;
    }

    private static ProcessStartInfo StartInfo(TempDataDirectory data, IEnumerable<string> args, IDictionary<string, string>? environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = data.Path,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Executable);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["SecretAdmin__DataDirectory"] = data.Path;
        foreach (var (name, value) in data.DatabaseEnvironment)
        {
            start.Environment[name] = value;
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        Directory.CreateDirectory(data.Path);
        return start;
    }

    /// <summary>Starts the web app on a free loopback port; it should refuse to start, so it exits by itself.</summary>
    public static Task<Result> RunWebAppAsync(TempDataDirectory data, IDictionary<string, string>? environment = null) =>
        RunAsync(data, ["--urls", "http://127.0.0.1:0"], environment);

    public const int RefusedExitCode = StartupRefusedException.ExitCode;
}
