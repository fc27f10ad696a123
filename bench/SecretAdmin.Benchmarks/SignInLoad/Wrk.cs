using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace SecretAdmin.Benchmarks.SignInLoad;

/// <summary>Debian's <c>wrk</c>: installed when missing, run with <c>--latency</c> and a Lua script.</summary>
internal static partial class Wrk
{
    /// <summary>Finds wrk on the PATH, or installs it with apt-get; null when it is there, else why it cannot be had.</summary>
    public static async Task<string?> EnsureInstalledAsync()
    {
        if (IsOnPath())
        {
            return null;
        }

        Console.WriteLine("P3: wrk is not installed; installing it: apt-get install -y wrk");
        var (exitCode, output) = await RunToEndAsync("apt-get", ["install", "-y", "wrk"]);
        if (exitCode != 0)
        {
            // A fresh machine may not have read the package lists yet.
            Console.WriteLine("P3: apt-get install failed; running apt-get update, then trying again");
            await RunToEndAsync("apt-get", ["update"]);
            (exitCode, output) = await RunToEndAsync("apt-get", ["install", "-y", "wrk"]);
        }

        return exitCode == 0 && IsOnPath()
            ? null
            : $"P3 needs the load generator wrk, which is not installed, and `apt-get install -y wrk` failed (exit code {exitCode}). " +
              $"Install it (Debian and Ubuntu: `sudo apt-get install wrk`) and run again.{Environment.NewLine}{output}";
    }

    /// <summary>
    /// Runs wrk once against <paramref name="url"/> and appends its output to <paramref name="logFile"/>;
    /// measures the CPU time of the app (<paramref name="appProcessId"/>), of wrk and of the whole machine meanwhile.
    /// </summary>
    public static async Task<WrkResult> RunAsync(string name, Uri url, string script, IEnumerable<string> scriptArguments, WrkSettings settings, int appProcessId, string logFile)
    {
        var wrkArguments = new List<string>
        {
            "--latency",
            "-t", settings.Threads.ToString(CultureInfo.InvariantCulture),
            "-c", settings.Connections.ToString(CultureInfo.InvariantCulture),
            "-d", $"{settings.DurationSeconds}s",
            "--timeout", $"{settings.TimeoutSeconds}s",
            "-s", script,
            url.ToString(),
            "--",
        };
        wrkArguments.AddRange(scriptArguments);

        // bash's `times` prints the CPU time of its children (wrk) when wrk has exited.
        var arguments = new List<string> { "-c", "wrk \"$@\"; status=$?; times; exit $status", "wrk" };
        arguments.AddRange(wrkArguments);

        var loadBefore = LoadAverage();
        var cpuBefore = CpuTimes.Read(appProcessId);
        var startedAt = DateTimeOffset.UtcNow;
        var (exitCode, output) = await RunToEndAsync("bash", arguments);
        var endedAt = DateTimeOffset.UtcNow;
        var cpu = CpuTimes.Read(appProcessId) - cpuBefore;
        await File.AppendAllTextAsync(logFile, $"== {name}, {startedAt:HH:mm:ss}–{endedAt:HH:mm:ss} UTC: wrk {string.Join(' ', wrkArguments)}{Environment.NewLine}{output}{Environment.NewLine}");
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"wrk exited with code {exitCode} for {name}:{Environment.NewLine}{output}");
        }

        return WrkResult.Parse(name, output) with
        {
            StartedAt = startedAt,
            EndedAt = endedAt,
            LoadAverageBefore = loadBefore,
            LoadAverageAfter = LoadAverage(),
            AppCpu = cpu,
            WrkCpuSeconds = ChildCpuSeconds(output),
        };
    }

    /// <summary>The children's user + system time from the second line `times` printed ("0m12.345s 0m1.234s").</summary>
    private static double ChildCpuSeconds(string output)
    {
        var times = output.Split('\n').Where(l => TimesOutputLine().IsMatch(l)).ToArray();
        return times.Length < 2
            ? double.NaN
            : TimesLine().Matches(times[^1]).Sum(m =>
                (double.Parse(m.Groups["minutes"].Value, CultureInfo.InvariantCulture) * 60) + double.Parse(m.Groups["seconds"].Value, CultureInfo.InvariantCulture));
    }

    /// <summary>The 1-minute load average.</summary>
    public static double LoadAverage() =>
        File.Exists("/proc/loadavg")
            ? double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture)
            : double.NaN;

    private static bool IsOnPath() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(folder => File.Exists(Path.Combine(folder, "wrk")));

    private static async Task<(int ExitCode, string Output)> RunToEndAsync(string program, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, await output + await error);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, $"{program} could not be started: {e.Message}");
        }
    }

    [GeneratedRegex(@"^\s*[0-9]+m[0-9.]+s\s+[0-9]+m[0-9.]+s\s*$")]
    private static partial Regex TimesOutputLine();

    [GeneratedRegex(@"(?<minutes>[0-9]+)m(?<seconds>[0-9.]+)s")]
    private static partial Regex TimesLine();
}
