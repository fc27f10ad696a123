using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using SecretAdmin.EndToEnd.Support.Cluster;

namespace SecretAdmin.Benchmarks.SignInEngines;

/// <summary>
/// Debian's haproxy in front of the nodes, run in the foreground (<c>haproxy -f &lt;cfg&gt; -db</c>) with the
/// repository's deploy/haproxy.cfg changed only as the end-to-end rehearsal changes it
/// (tests/SecretAdmin.EndToEnd/Support/Cluster/HaproxyBalancer.cs): the log to standard error, no
/// user/group lines, the binds on free loopback ports with a throw-away certificate — TLS stays, wrk
/// speaks it — and each server line's address replaced by a node's loopback port. Names, checks,
/// balancing and the SRV cookie stay as operators run them. Its request log (one line per request,
/// naming the server) says which node served what.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed partial class HaproxyFront : IAsyncDisposable
{
    public const string ExecutablePath = "/usr/sbin/haproxy";

    private readonly Process _process;
    private readonly StreamWriter _logFile;
    private readonly StringBuilder _log = new();

    private HaproxyFront(Process process, StreamWriter logFile, Uri address, X509Certificate2 certificate)
    {
        _process = process;
        _logFile = logFile;
        Address = address;
        Certificate = certificate;
    }

    /// <summary>https://127.0.0.1:&lt;port&gt;: where the clients go.</summary>
    public Uri Address { get; }

    /// <summary>The throw-away certificate haproxy presents, for a client that checks it.</summary>
    public X509Certificate2 Certificate { get; }

    public int ProcessId => _process.Id;

    public static string OperatorConfig(string repositoryRoot) => Path.Combine(repositoryRoot, "deploy", "haproxy.cfg");

    /// <summary>Installs haproxy with apt-get when missing; null when it is there, else why it cannot be had.</summary>
    public static async Task<string?> EnsureInstalledAsync()
    {
        if (File.Exists(ExecutablePath))
        {
            return null;
        }

        Console.WriteLine("P6: haproxy is not installed; installing it: apt-get install -y haproxy");
        foreach (var arguments in new[] { "install -y haproxy", "update", "install -y haproxy" })
        {
            await Command.TryRunAsync("apt-get", arguments.Split(' '));
            if (File.Exists(ExecutablePath))
            {
                return null;
            }
        }

        return $"P6 needs haproxy ({ExecutablePath}); install it (as root: apt-get update && apt-get install -y haproxy) and run again.";
    }

    /// <summary>
    /// Starts haproxy on <paramref name="operatorConfig"/> with each server line (by name) aimed at the
    /// loopback port given; two names may share a port (one node behind both lines).
    /// </summary>
    public static async Task<HaproxyFront> StartAsync(string operatorConfig, IReadOnlyDictionary<string, int> serverPorts, string folder, string logFile)
    {
        Directory.CreateDirectory(folder);
        var certificate = WriteCertificate(folder, out var pemFile);
        var port = FreePort();
        var config = LoopbackHaproxyConfig.Derive(await File.ReadAllTextAsync(operatorConfig), FreePort(), port, pemFile, serverPorts, "P6");
        var configFile = Path.Combine(folder, "haproxy.cfg");
        await File.WriteAllTextAsync(configFile, config);

        var start = new ProcessStartInfo(ExecutablePath) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-f", configFile, "-db" })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("haproxy did not start.");
        var front = new HaproxyFront(process, new StreamWriter(logFile) { AutoFlush = true }, new Uri($"https://127.0.0.1:{port}"), certificate);
        process.OutputDataReceived += (_, line) => front.Append(line.Data);
        process.ErrorDataReceived += (_, line) => front.Append(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await front.WaitUntilListeningAsync(port);
            return front;
        }
        catch
        {
            await front.DisposeAsync();
            throw;
        }
    }

    /// <summary>Where the log stands now, to count later what was served after this point.</summary>
    public int LogMark()
    {
        lock (_log)
        {
            return _log.Length;
        }
    }

    /// <summary>
    /// The requests of <paramref name="method"/> <paramref name="path"/> (its query aside) logged after
    /// <paramref name="mark"/>, per server name; waits up to a second for the last lines (haproxy logs a
    /// request when its response has gone).
    /// </summary>
    public async Task<IReadOnlyDictionary<string, long>> ServedAsync(string method, string path, int mark)
    {
        await Task.Delay(TimeSpan.FromSeconds(1));
        string log;
        lock (_log)
        {
            log = _log.ToString(mark, _log.Length - mark);
        }

        return LoopbackHaproxyConfig.RequestLine().Matches(log)
            .Where(m => m.Groups["method"].Value == method && m.Groups["path"].Value.Split('?')[0] == path)
            .GroupBy(m => m.Groups["server"].Value)
            .ToDictionary(g => g.Key, g => (long)g.Count(), StringComparer.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
        Certificate.Dispose();
        lock (_log)
        {
            _logFile.Dispose();
        }
    }

    /// <summary>A self-signed certificate for 127.0.0.1, written with its key into one PEM file as haproxy wants it.</summary>
    private static X509Certificate2 WriteCertificate(string folder, out string pemFile)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        pemFile = Path.Combine(folder, "secretadmin.pem");
        File.WriteAllText(pemFile, certificate.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem() + "\n");
        File.SetUnixFileMode(pemFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return X509CertificateLoader.LoadCertificate(certificate.RawData);
    }

    private async Task WaitUntilListeningAsync(int port)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"haproxy exited with code {_process.ExitCode}. Its output:\n{_log}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        throw new TimeoutException($"haproxy did not listen on 127.0.0.1:{port} within 20 s. Its output:\n{_log}");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
            _logFile.WriteLine(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
