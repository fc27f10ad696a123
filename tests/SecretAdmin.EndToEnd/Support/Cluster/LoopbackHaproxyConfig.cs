using System.Text.RegularExpressions;

namespace SecretAdmin.EndToEnd.Support.Cluster;

/// <summary>
/// deploy/haproxy.cfg as haproxy can run it on this machine, for the two-node rehearsal and for the
/// benchmark behind haproxy (which links this file): every change is one regular expression that must
/// match the operator's file, so a change there that is not followed here fails, by name.
/// <list type="bullet">
/// <item>`log /dev/log` → `log stderr`: there is no syslog here, and the request log is what is read.</item>
/// <item>`user`/`group` lines dropped: haproxy runs in the foreground as whoever runs it, who may not be root.</item>
/// <item>`bind :80` and `bind :443 ssl crt /etc/haproxy/secretadmin.pem` → loopback ports and a throw-away
/// certificate: TLS stays, because the app marks its cookies Secure when haproxy says https.</item>
/// <item>each `server` line's address → a loopback port; names, `check` and `cookie` stay.</item>
/// </list>
/// </summary>
public static partial class LoopbackHaproxyConfig
{
    /// <param name="operatorConfig">The text of deploy/haproxy.cfg.</param>
    /// <param name="user">Who runs it, for the messages: "the rehearsal", "P6".</param>
    public static string Derive(string operatorConfig, int httpPort, int httpsPort, string pemFile, IReadOnlyDictionary<string, int> serverPorts, string user)
    {
        var config = Replace(operatorConfig, LogLine(), "    log stderr format raw local0", "log /dev/log …", user);
        config = Replace(config, UserOrGroupLine(), string.Empty, "user …/group …", user, expected: 2);
        config = Replace(config, HttpBind(), $"${{indent}}bind 127.0.0.1:{httpPort}", "bind :80", user);
        config = Replace(config, HttpsBind(), $"${{indent}}bind 127.0.0.1:{httpsPort} ssl crt {pemFile}", "bind :443 ssl crt …", user);

        var servers = ServerLine().Matches(config).Select(m => m.Groups["name"].Value).ToList();
        if (!servers.Order().SequenceEqual(serverPorts.Keys.Order()))
        {
            throw new InvalidOperationException(
                $"deploy/haproxy.cfg names the servers [{string.Join(", ", servers)}], {user} runs [{string.Join(", ", serverPorts.Keys)}]; make them agree.");
        }

        return ServerLine().Replace(config, m => $"{m.Groups["head"].Value}127.0.0.1:{serverPorts[m.Groups["name"].Value]}{m.Groups["tail"].Value}");
    }

    /// <summary>An `option httplog` line: `… secretadmin_nodes/node-a 0/0/1/3/4 200 … "GET /path HTTP/1.1"`.</summary>
    [GeneratedRegex(@" [\w-]+/(?<server>[\w-]+) [\d/+-]+ \d{3} .*""(?<method>[A-Z]+) (?<path>\S+) HTTP/[\d.]+""")]
    public static partial Regex RequestLine();

    private static string Replace(string config, Regex pattern, string replacement, string what, string user, int expected = 1)
    {
        var found = pattern.Matches(config).Count;
        return found == expected
            ? pattern.Replace(config, replacement)
            : throw new InvalidOperationException($"deploy/haproxy.cfg has {found} line(s) like `{what}` where {user} expects {expected}; follow the change in {nameof(LoopbackHaproxyConfig)}.{nameof(Derive)}.");
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
}
