using System.Text.Json;

namespace SecretAdmin.Tests.Support.Peers;

/// <summary>
/// A real SMTP server (npm smtp-server, tests/peers/smtp-server.mjs) on 127.0.0.1 that reports
/// every message it accepts. With a user and password it advertises and requires AUTH PLAIN/LOGIN
/// and answers anything else with "535 Authentication credentials invalid"; without them it does
/// not offer AUTH and accepts mail from anyone.
/// </summary>
public sealed class SmtpPeer : IAsyncDisposable
{
    public const string Host = "127.0.0.1";

    private readonly NodePeer _node;

    private SmtpPeer(NodePeer node) => _node = node;

    /// <summary>How the peer offers TLS.</summary>
    public enum Security
    {
        /// <summary>Plain text only; STARTTLS is not offered.</summary>
        None,

        /// <summary>STARTTLS is offered (and required before AUTH), with smtp-server's built-in self-signed "localhost" certificate.</summary>
        StartTls,

        /// <summary>Implicit TLS from the first byte (SMTPS), with the same certificate.</summary>
        Tls,
    }

    public int Port => _node.Port;

    /// <summary>The peer's diagnostics so far, for assertion messages.</summary>
    public string Log => _node.StandardError;

    public static async Task<SmtpPeer> StartAsync(string? user = null, string? password = null, Security security = Security.None)
    {
        if ((user is null) != (password is null))
        {
            throw new ArgumentException("Give both a user and a password, or neither.");
        }

        if (user is not null && user.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException("The SMTP peer's user name cannot contain ':'.", nameof(user));
        }

        List<string> arguments = ["--port", "0", "--secure-mode", security switch
        {
            Security.None => "none",
            Security.StartTls => "starttls",
            Security.Tls => "tls",
            _ => throw new ArgumentOutOfRangeException(nameof(security)),
        }];
        if (user is not null)
        {
            arguments.AddRange(["--auth", $"{user}:{password}"]);
        }

        return new SmtpPeer(await NodePeer.StartAsync("smtp-server.mjs", arguments));
    }

    /// <summary>The next message the peer accepted that no earlier call returned, waiting up to <paramref name="timeout"/>.</summary>
    public async Task<ReceivedMail> WaitForMailAsync(TimeSpan timeout)
    {
        var line = await _node.WaitForLineAsync(l => l.TryGetProperty("mail", out _), timeout, "a received message");
        var mail = line.GetProperty("mail");
        return new ReceivedMail(
            mail.GetProperty("from").GetString() ?? string.Empty,
            [.. mail.GetProperty("to").EnumerateArray().Select(to => to.GetString() ?? string.Empty)],
            mail.GetProperty("subject").ValueKind == JsonValueKind.String ? mail.GetProperty("subject").GetString() : null,
            mail.GetProperty("authUser").ValueKind == JsonValueKind.String ? mail.GetProperty("authUser").GetString() : null,
            mail.GetProperty("raw").GetString() ?? string.Empty);
    }

    /// <summary>The user names of every AUTH attempt the peer has seen so far, accepted or not.</summary>
    public IReadOnlyList<string?> AuthAttempts =>
        [.. _node.Lines.Where(l => l.TryGetProperty("auth", out _)).Select(l => l.GetProperty("auth").GetProperty("username").GetString())];

    public ValueTask DisposeAsync() => _node.DisposeAsync();

    /// <summary>
    /// One accepted message: the envelope sender and recipients, the decoded Subject header, the
    /// user that authenticated (null without AUTH) and the full RFC 5322 text as received.
    /// </summary>
    public sealed record ReceivedMail(string From, IReadOnlyList<string> To, string? Subject, string? AuthUser, string Raw);
}
