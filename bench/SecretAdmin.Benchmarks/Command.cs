using System.Diagnostics;

namespace SecretAdmin.Benchmarks.SignInVsTemplate;

/// <summary>Runs a program to its end and returns its output; throws when it fails.</summary>
internal static class Command
{
    public static async Task<string> RunAsync(string program, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
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
        return process.ExitCode == 0
            ? await output
            : throw new InvalidOperationException($"`{program} {string.Join(' ', start.ArgumentList)}` failed (exit code {process.ExitCode}):{Environment.NewLine}{await output}{await error}");
    }
}
