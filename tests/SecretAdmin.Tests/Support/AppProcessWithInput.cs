using System.Diagnostics;

namespace SecretAdmin.Tests.Support;

/// <summary>Runs the built SecretAdmin executable as <see cref="AppProcess"/> does, with text written to its standard input.</summary>
public static class AppProcessWithInput
{
    public static async Task<AppProcess.Result> RunAsync(TempDataDirectory data, IEnumerable<string> args, string standardInput)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = data.Path,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(Program).Assembly.Location);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["SecretAdmin__DataDirectory"] = data.Path;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";

        Directory.CreateDirectory(data.Path);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            await process.StandardInput.WriteAsync(standardInput);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The process exited without reading its input; its exit code and output say why.
        }

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

        return new AppProcess.Result(process.ExitCode, await output, await error);
    }
}
