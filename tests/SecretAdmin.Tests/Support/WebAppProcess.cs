using System.Diagnostics;
using System.Net;
using System.Text;

namespace SecretAdmin.Tests.Support;

/// <summary>
/// The built SecretAdmin executable serving on a free loopback port as deployed: the Production
/// environment, no launch profile, its own data folder as working directory. Disposing kills it.
/// </summary>
public sealed class WebAppProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private WebAppProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    /// <summary>http://127.0.0.1:{port}/ (or https:// when started with a certificate).</summary>
    public Uri BaseAddress { get; }

    /// <summary>What the app wrote to standard output and error so far, for failure messages.</summary>
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

    /// <summary>Creates an administrator with the command line, as an operator would, before the app starts.</summary>
    public static async Task CreateAdminAsync(TempDataDirectory data, string email, string password)
    {
        var result = await AppProcess.RunAsync(data, ["admin", "create", "--email", email, "--password-stdin"], standardInput: password);
        Assert.True(result.ExitCode == 0, $"admin create exited with {result.ExitCode}: {result.Output} {result.Error}");
    }

    /// <param name="https">Serve https:// with a certificate from <see cref="TestCertificate"/> instead of http://.</param>
    public static async Task<WebAppProcess> StartAsync(TempDataDirectory data, IDictionary<string, string>? environment = null, bool https = false)
    {
        var port = AppProcesses.FreeLoopbackPort();
        var baseAddress = new Uri($"{(https ? "https" : "http")}://127.0.0.1:{port}/");
        var settings = new Dictionary<string, string>(environment ?? new Dictionary<string, string>());
        if (https)
        {
            var (certificate, key) = TestCertificate.WritePem(data.Path);
            settings["Kestrel__Certificates__Default__Path"] = certificate;
            settings["Kestrel__Certificates__Default__KeyPath"] = key;
        }

        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = data.Path,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(AppProcess.Executable);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(baseAddress.GetLeftPart(UriPartial.Authority));
        foreach (var name in start.Environment.Keys.Where(n => n.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase) || n.StartsWith("SecretAdmin__", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["SecretAdmin__DataDirectory"] = data.Path;
        foreach (var (name, value) in data.DatabaseEnvironment)
        {
            start.Environment[name] = value;
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        foreach (var (name, value) in settings)
        {
            start.Environment[name] = value;
        }

        Directory.CreateDirectory(data.Path);
        var process = new Process { StartInfo = start };
        var app = new WebAppProcess(process, baseAddress);
        process.OutputDataReceived += (_, line) => app.Append(line.Data);
        process.ErrorDataReceived += (_, line) => app.Append(line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await app.WaitUntilServingAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return app;
    }

    /// <summary>A client that keeps cookies and does not follow redirects; it trusts the test certificate.</summary>
    public HttpClient Client(CookieContainer? cookies = null) =>
        new(new HttpClientHandler
        {
            AllowAutoRedirect = false,
            UseCookies = true,
            CookieContainer = cookies ?? new CookieContainer(),
            ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator,
        })
        {
            BaseAddress = BaseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };

    public async ValueTask DisposeAsync() => await AppProcesses.StopAsync(_process);

    private async Task WaitUntilServingAsync()
    {
        using var client = Client();
        await AppProcesses.WaitUntilAnswersAsync(_process, client, "/healthz/live", TimeSpan.FromSeconds(60), "The app", () => Log);
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }
}
