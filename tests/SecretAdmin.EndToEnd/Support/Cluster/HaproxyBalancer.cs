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
/// operators, deploy/haproxy.cfg, changed only where a test must (see <see cref="DeriveConfig"/>), so the
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

    /// <summary>
    /// deploy/haproxy.cfg as a test can run it: every change is one regular expression that must match
    /// the operator's file, so a change there that the rehearsal does not follow fails here, by name.
    /// <list type="bullet">
    /// <item>`log /dev/log` → `log stderr`: there is no syslog here, and the request log is what the test reads.</item>
    /// <item>`user`/`group` lines dropped: haproxy runs in the foreground as whoever runs the tests, who may not be root.</item>
    /// <item>`bind :80` and `bind :443 ssl crt /etc/haproxy/secretadmin.pem` → free loopback ports and a throw-away
    /// certificate: TLS stays, because the app marks its cookies Secure when haproxy says https, and Chromium
    /// keeps Secure cookies only over https.</item>
    /// <item>each `server` line's address → the node's loopback port; names, `check` and `cookie` stay.</item>
    /// </list>
    /// </summary>
    public static string DeriveConfig(string operatorConfig, int httpPort, int httpsPort, string pemFile, IReadOnlyDictionary<string, int> nodePorts)
    {
        var config = Replace(operatorConfig, LogLine(), "    log stderr format raw local0", "log /dev/log …");
        config = Replace(config, UserOrGroupLine(), string.Empty, "user …/group …", expected: 2);
        config = Replace(config, HttpBind(), $"${{indent}}bind 127.0.0.1:{httpPort}", "bind :80");
        config = Replace(config, HttpsBind(), $"${{indent}}bind 127.0.0.1:{httpsPort} ssl crt {pemFile}", "bind :443 ssl crt …");

        var servers = ServerLine().Matches(config).Select(m => m.Groups["name"].Value).ToList();
        if (!servers.Order().SequenceEqual(nodePorts.Keys.Order()))
        {
            throw new InvalidOperationException(
                $"{OperatorConfig} names the servers [{string.Join(", ", servers)}], the rehearsal runs [{string.Join(", ", nodePorts.Keys)}]; make them agree.");
        }

        return ServerLine().Replace(config, m => $"{m.Groups["head"].Value}127.0.0.1:{nodePorts[m.Groups["name"].Value]}{m.Groups["tail"].Value}");
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
        var config = DeriveConfig(await File.ReadAllTextAsync(OperatorConfig), AppProcesses.FreeLoopbackPort(), port, pemFile, nodePorts);
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
            var servers = RequestLine().Matches(Log[mark..])
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

    private static string Replace(string config, Regex pattern, string replacement, string what, int expected = 1)
    {
        var found = pattern.Matches(config).Count;
        return found == expected
            ? pattern.Replace(config, replacement)
            : throw new InvalidOperationException($"{OperatorConfig} has {found} line(s) like `{what}` where the rehearsal expects {expected}; follow the change in {nameof(HaproxyBalancer)}.{nameof(DeriveConfig)}.");
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

    [GeneratedRegex(@"^[ \t]*log[ \t]+/dev/log\b.*$", RegexOptions.Multiline)]
    private static partial Regex LogLine();

    [GeneratedRegex(@"^[ \t]*(user|group)[ \t]+\S+[ \t]*\r?\n", RegexOptions.Multiline)]
    private static partial Regex UserOrGroupLine();

    [GeneratedRegex(@"^(?<indent>[ \t]*)bind[ \t]+:80[ \t]*$", RegexOptions.Multiline)]
    private static partial Regex HttpBind();

    [GeneratedRegex(@"^(?<indent>[ \t]*)bind[ \t]+:443[ \t]+ssl[ \t]+crt[ \t]+\S+[ \t]*$", RegexOptions.Multiline)]
    private static partial Regex HttpsBind();

    [GeneratedRegex(@"^(?<head>[ \t]*server[ \t]+(?<name>\S+)[ \t]+)\S+(?<tail>[ \t].*)$", RegexOptions.Multiline)]
    private static partial Regex ServerLine();

    /// <summary>An `option httplog` line: `… secretadmin_nodes/node-a 0/0/1/3/4 200 … "GET /path HTTP/1.1"`.</summary>
    [GeneratedRegex(@" [\w-]+/(?<server>[\w-]+) [\d/+-]+ \d{3} .*""(?<method>[A-Z]+) (?<path>\S+) HTTP/[\d.]+""")]
    private static partial Regex RequestLine();

    [GeneratedRegex(@"^SRV=(?<server>[^;]+)")]
    private static partial Regex SrvCookie();
}
