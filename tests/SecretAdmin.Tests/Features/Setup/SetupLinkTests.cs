using System.Diagnostics;
using System.Text.RegularExpressions;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Features.Setup;

/// <summary>The real executable prints the setup link on standard output, and only that.</summary>
public sealed partial class SetupLinkTests : IDisposable
{
    private readonly TempDataDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Start_NoAdmin_PrintsAOneTimeLinkOnStandardOutputOnly()
    {
        Directory.CreateDirectory(_temp.Path);
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _temp.Path,
        };
        start.ArgumentList.Add(AppProcess.Executable);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add("http://127.0.0.1:0");
        start.Environment["SecretAdmin__DataDirectory"] = _temp.Path;
        foreach (var (name, value) in _temp.DatabaseEnvironment)
        {
            start.Environment[name] = value;
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string? link = null;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (link is null && await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                link = SetupLink().Match(line) is { Success: true } match ? match.Value : null;
            }
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        Assert.NotNull(link);
        var token = link[(link.IndexOf("token=", StringComparison.Ordinal) + 6)..];
        Assert.Equal(43, token.Length);
        Assert.DoesNotContain(token, await error, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+/setup\?token=[A-Za-z0-9_-]+")]
    private static partial Regex SetupLink();
}
