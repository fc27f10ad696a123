using System.Diagnostics;

namespace SecretAdmin.Benchmarks;

/// <summary>Runs a program to its end and collects what it wrote (standard output, then standard error).</summary>
internal static class Command
{
    /// <summary>The program's standard output; throws, with all it wrote, when it exits with an error.</summary>
    public static async Task<string> RunAsync(string program, IEnumerable<string> arguments, string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var (exitCode, output, error) = await RunCoreAsync(program, [.. arguments], workingDirectory, environment);
        return exitCode == 0
            ? output
            : throw new InvalidOperationException($"`{program} {string.Join(' ', arguments)}` failed (exit code {exitCode}):{Environment.NewLine}{output}{error}");
    }

    /// <summary>The program's exit code and all it wrote, for a caller that decides what a failure means.</summary>
    public static async Task<(int ExitCode, string Output)> TryRunAsync(string program, IEnumerable<string> arguments)
    {
        var (exitCode, output, error) = await RunCoreAsync(program, [.. arguments], workingDirectory: null, environment: null);
        return (exitCode, output + error);
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunCoreAsync(string program, IReadOnlyList<string> arguments, string? workingDirectory, IReadOnlyDictionary<string, string>? environment)
    {
        var start = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }
}
