using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.EndToEnd.Support.Cluster;

/// <summary>
/// Debian's haproxy run in the foreground (`haproxy -f &lt;cfg&gt; -db`) with the configuration README gives
/// operators, deploy/haproxy.cfg, changed only where a test must (see <see cref="LoopbackHaproxyConfig"/>), so the
/// rehearsal proves that file: TLS at the proxy, the SRV cookie, health checks, WebSockets. Its log
/// (one line per request, naming the node that served it) is kept for assertions.
/// </summary>
public sealed partial class HaproxyBalancer : IAsyncDisposable
{
    public const string ExecutablePath = "/usr/sbin/haproxy";

    /// <summary>The file README points operators at.</summary>
    public static string OperatorConfig { get; } = Path.Combine(RepositoryRoot.Path, "deploy", "haproxy.cfg");

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);

    private readonly StringBuilder _log = new();
    private readonly Process _process;
    private readonly string _folder;
    private readonly X509Certificate2 _certificate;

    private HaproxyBalancer(Process process, string folder, int port, X509Certificate2 certificate)
    {
        _process = process;
        _folder = folder;
        _certificate = certificate;
        Port = port;
    }

    public int Port { get; }

    /// <summary>https://127.0.0.1:{Port}: where the browsers go.</summary>
    public string BaseUrl => $"https://127.0.0.1:{Port}";

    /// <summary>haproxy's output: its warnings, server state changes and one line per request.</summary>
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

    /// <summary>Writes a throw-away certificate and the derived configuration into a temp folder, starts haproxy and waits until it listens.</summary>
    public static async Task<HaproxyBalancer> StartAsync(IReadOnlyDictionary<string, int> nodePorts)
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException(
                $"haproxy is not installed ({ExecutablePath} is missing). Run tests/run.sh, which installs it, or as root: apt-get update && apt-get install -y haproxy.");
        }

        var folder = Path.Combine(Path.GetTempPath(), "secretadmin-e2e", $"haproxy-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            return await StartInAsync(folder, nodePorts);
        }
        catch
        {
            AppProcesses.DeleteFolder(folder);
            throw;
        }
    }

    private static async Task<HaproxyBalancer> StartInAsync(string folder, IReadOnlyDictionary<string, int> nodePorts)
    {
        // haproxy wants the certificate and its key in one file, as /etc/haproxy/secretadmin.pem holds them.
        var (certificateFile, keyFile) = TestCertificate.WritePem(folder);
        var pemFile = Path.Combine(folder, "secretadmin.pem");
        await File.WriteAllLinesAsync(pemFile, [await File.ReadAllTextAsync(certificateFile), await File.ReadAllTextAsync(keyFile)]);
        var certificate = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(certificateFile));

        var port = AppProcesses.FreeLoopbackPort();
        var configFile = Path.Combine(folder, "haproxy.cfg");
        var config = LoopbackHaproxyConfig.Derive(await File.ReadAllTextAsync(OperatorConfig), AppProcesses.FreeLoopbackPort(), port, pemFile, nodePorts, "the rehearsal");
        await File.WriteAllTextAsync(configFile, config);

        var start = new ProcessStartInfo(ExecutablePath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-f", configFile, "-db" })
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        var balancer = new HaproxyBalancer(process, folder, port, certificate);
        process.OutputDataReceived += (_, line) => balancer.Append(line.Data);
        process.ErrorDataReceived += (_, line) => balancer.Append(line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await balancer.WaitUntilListeningAsync();
        }
        catch
        {
            await balancer.DisposeAsync();
            throw;
        }

        return balancer;
    }

    /// <summary>Where the log stands now, to ask later what was served after this point.</summary>
    public int LogMark() => Log.Length;

    /// <summary>
    /// The nodes that served `GET {path}` (its query aside) after <paramref name="mark"/>, in order, once at
    /// least one has: haproxy logs a request when its response has gone, which the browser may see first.
    /// </summary>
    public async Task<IReadOnlyList<string>> ServersOfAsync(string path, int mark)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var servers = LoopbackHaproxyConfig.RequestLine().Matches(Log[mark..])
                .Where(m => m.Groups["method"].Value == "GET" && m.Groups["path"].Value.Split('?')[0] == path)
                .Select(m => m.Groups["server"].Value)
                .ToList();
            if (servers.Count > 0 || deadline.Elapsed > TimeSpan.FromSeconds(5))
            {
                return servers;
            }

            await Task.Delay(100);
        }
    }

    /// <summary>
    /// Waits until haproxy sends a browser whose cookie says <paramref name="deadServer"/> to another node,
    /// re-pinning it with a new SRV cookie (after its health checks have failed: `inter 2s fall 3`). Returns that node.
    /// </summary>
    public async Task<string> WaitUntilRoutedAwayFromAsync(string deadServer, TimeSpan timeout)
    {
        using var handler = new HttpClientHandler
        {
            UseCookies = false,
            ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented?.Thumbprint == _certificate.Thumbprint,
        };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        var last = "no answer yet";
        while (deadline.Elapsed < timeout)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{BaseUrl}/healthz");
            request.Headers.Add("Cookie", $"SRV={deadServer}");
            try
            {
                using var response = await http.SendAsync(request);
                var pinned = response.Headers.TryGetValues("Set-Cookie", out var cookies)
                    ? cookies.Select(c => SrvCookie().Match(c)).FirstOrDefault(m => m.Success)?.Groups["server"].Value
                    : null;
                if (response.StatusCode == HttpStatusCode.OK && pinned is not null && pinned != deadServer)
                {
                    return pinned;
                }

                last = $"{(int)response.StatusCode}, SRV cookie {pinned ?? "not set"}";
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                last = exception.Message;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"haproxy still sent SRV={deadServer} there after {timeout.TotalSeconds:0} s (last: {last}). Its log:\n{Log}");
    }

    public async ValueTask DisposeAsync()
    {
        await AppProcesses.StopAsync(_process);
        _certificate.Dispose();
        AppProcesses.DeleteFolder(_folder);
    }

    private async Task WaitUntilListeningAsync()
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartTimeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"haproxy exited with code {_process.ExitCode} on the configuration derived from {OperatorConfig}. Its output:\n{Log}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        throw new TimeoutException($"haproxy did not listen on 127.0.0.1:{Port} within {StartTimeout.TotalSeconds:0} s. Its output:\n{Log}");
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

    [GeneratedRegex(@"^SRV=(?<server>[^;]+)")]
    private static partial Regex SrvCookie();
}
