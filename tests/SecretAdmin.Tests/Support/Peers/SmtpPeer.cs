using System.Text.Json;

namespace SecretAdmin.Tests.Support.Peers;

/// <summary>
/// A real SMTP server (npm smtp-server, tests/peers/smtp-server.mjs) on 127.0.0.1 that reports
/// every message it accepts. With a user and password it advertises and requires AUTH PLAIN/LOGIN
/// and answers anything else with "535 Authentication credentials invalid"; without them it does
/// not offer AUTH and accepts mail from anyone. <see cref="SmtpPeerOptions"/> adds XOAUTH2 checked by
/// token introspection, basic authentication switched off, refused senders and recipients, and
/// deferred messages.
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

    public static Task<SmtpPeer> StartAsync(string? user = null, string? password = null, Security security = Security.None) =>
        StartAsync(new SmtpPeerOptions { User = user, Password = password, Security = security });

    public static async Task<SmtpPeer> StartAsync(SmtpPeerOptions options)
    {
        List<string> arguments = ["--port", options.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), .. options.Arguments()];
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

    /// <summary>Every AUTH attempt the peer has seen so far, accepted or not, in order.</summary>
    public IReadOnlyList<AuthAttempt> AuthAttemptDetails =>
        [.. _node.Lines.Where(l => l.TryGetProperty("auth", out _)).Select(l => ToAuthAttempt(l.GetProperty("auth")))];

    /// <summary>
    /// The next AUTH attempt that no earlier call returned, waiting up to <paramref name="timeout"/>. The
    /// peer reports an attempt before it answers it, but the report may reach the test a moment after the reply.
    /// </summary>
    public async Task<AuthAttempt> WaitForAuthAttemptAsync(TimeSpan timeout) =>
        ToAuthAttempt((await _node.WaitForLineAsync(l => l.TryGetProperty("auth", out _), timeout, "an AUTH attempt")).GetProperty("auth"));

    /// <summary>Every MAIL, RCPT or DATA command the peer refused because of its options (refused senders and recipients, deferred messages).</summary>
    public IReadOnlyList<Refusal> Refusals =>
        [.. _node.Lines.Where(l => l.TryGetProperty("refused", out _)).Select(l => l.GetProperty("refused")).Select(r => new Refusal(
            r.GetProperty("command").GetString()!,
            r.GetProperty("code").GetInt32(),
            r.GetProperty("address").ValueKind == JsonValueKind.String ? r.GetProperty("address").GetString() : null))];

    public ValueTask DisposeAsync() => _node.DisposeAsync();

    private static AuthAttempt ToAuthAttempt(JsonElement auth)
    {
        string? Text(string name) => auth.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        return new AuthAttempt(Text("method")!, Text("username"), auth.GetProperty("accepted").GetBoolean(), Text("clientId"), Text("reason"), Text("subject"));
    }

    /// <summary>
    /// One AUTH attempt: the mechanism (PLAIN, LOGIN, XOAUTH2), the user name given, whether it was
    /// accepted, the client the bearer token was issued to (XOAUTH2 only, from introspection), a
    /// short reason for a refusal, and the mailbox the token was issued for (its sub, when introspection
    /// gives one: a JWT bearer token; the peer then takes it only for that user name). Never a password or a token.
    /// </summary>
    public sealed record AuthAttempt(string Method, string? Username, bool Accepted, string? ClientId, string? Reason, string? Subject = null);

    /// <summary>A command the peer refused: MAIL (a refused sender), RCPT (a refused recipient) or DATA (a deferred message), its reply code and the address.</summary>
    public sealed record Refusal(string Command, int Code, string? Address);

    /// <summary>
    /// One accepted message: the envelope sender and recipients, the decoded Subject header, the
    /// user that authenticated (null without AUTH) and the full RFC 5322 text as received.
    /// </summary>
    public sealed record ReceivedMail(string From, IReadOnlyList<string> To, string? Subject, string? AuthUser, string Raw);
}
