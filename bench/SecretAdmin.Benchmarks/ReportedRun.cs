using System.Data.Common;
using System.Diagnostics;

namespace SecretAdmin.Benchmarks;

/// <summary>
/// The frame of a load benchmark: a temp folder of its own, the run, a stop (a step that failed, a
/// timeout, an app or database that stopped answering) recorded as one of the run's problems, then
/// the report written to the results folder and printed.
/// </summary>
internal static class ReportedRun
{
    /// <param name="label">The part's name as the console shows it (P3, P6 …); its folder under the temp folder is named after it.</param>
    /// <param name="besides">What else the run wrote beside the report, for the last line.</param>
    /// <param name="problems">What the run's checks found; a stop is added to it.</param>
    /// <param name="run">The run, given its temp folder (deleted after it).</param>
    /// <param name="report">The report, given the run's total time.</param>
    /// <returns>0 when the run found no problem, else 1.</returns>
    public static async Task<int> RunAsync(string label, string resultsFolder, string reportFile, string besides, List<string> problems, Func<string, Task> run, Func<TimeSpan, string> report)
    {
        var root = Path.Combine(Path.GetTempPath(), "secretadmin-bench", label.ToLowerInvariant() + "-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        var total = Stopwatch.StartNew();
        try
        {
            await run(root);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or HttpRequestException or DbException)
        {
            problems.Add($"The run stopped: {e.Message}");
            await Console.Error.WriteLineAsync(e.ToString());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }

        var written = report(total.Elapsed);
        var file = Path.Combine(resultsFolder, reportFile);
        await File.WriteAllTextAsync(file, written);
        Console.WriteLine();
        Console.WriteLine(written);
        Console.WriteLine($"{label}: written to {file} ({besides})");
        return problems.Count == 0 ? 0 : 1;
    }
}
