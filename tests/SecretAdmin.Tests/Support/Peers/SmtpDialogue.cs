using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace SecretAdmin.Tests.Support.Peers;

/// <summary>A minimal SMTP client that speaks the protocol line by line, so tests see every reply.</summary>
internal sealed class SmtpDialogue : IDisposable
{
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(10);

    private readonly TcpClient _tcp;
    private Stream _stream;
    private StreamReader _reader;

    private SmtpDialogue(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        _reader = new StreamReader(_stream, Encoding.UTF8, false, 1024, leaveOpen: true);
    }

    public static async Task<SmtpDialogue> ConnectAsync(int port)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        var dialogue = new SmtpDialogue(tcp);
        await dialogue.ExpectAsync(220);
        return dialogue;
    }

    /// <summary>Sends one line and returns the whole reply, failing unless its code is <paramref name="expected"/>.</summary>
    public async Task<string> CommandAsync(string line, int expected)
    {
        await WriteAsync(line + "\r\n");
        return await ExpectAsync(expected);
    }

    public async Task SendMailAsync(string from, IEnumerable<string> to, string subject, string body)
    {
        await CommandAsync($"MAIL FROM:<{from}>", 250);
        var recipients = to.ToList();
        foreach (var recipient in recipients)
        {
            await CommandAsync($"RCPT TO:<{recipient}>", 250);
        }

        await CommandAsync("DATA", 354);
        var encodedSubject = $"=?utf-8?B?{Convert.ToBase64String(Encoding.UTF8.GetBytes(subject))}?=";
        var message = $"From: <{from}>\r\nTo: {string.Join(", ", recipients.Select(r => $"<{r}>"))}\r\n"
            + $"Subject: {encodedSubject}\r\nMessage-ID: <{Guid.NewGuid():N}@test.local>\r\nMIME-Version: 1.0\r\n"
            + $"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n.\r\n";
        await WriteAsync(message);
        await ExpectAsync(250);
    }

    public async Task UpgradeToTlsAsync()
    {
        // smtp-server's built-in certificate is self-signed; the test only checks that TLS works.
        var tls = new SslStream(_stream, leaveInnerStreamOpen: false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync("localhost");
        _stream = tls;
        _reader.Dispose();
        _reader = new StreamReader(_stream, Encoding.UTF8, false, 1024, leaveOpen: true);
    }

    public void Dispose()
    {
        _reader.Dispose();
        _stream.Dispose();
        _tcp.Dispose();
    }

    private async Task WriteAsync(string text)
    {
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(text));
        await _stream.FlushAsync();
    }

    private async Task<string> ExpectAsync(int expected)
    {
        var reply = new StringBuilder();
        using var timeout = new CancellationTokenSource(ReplyTimeout);
        while (true)
        {
            var line = await _reader.ReadLineAsync(timeout.Token) ?? throw new IOException($"The SMTP peer closed the connection. So far: {reply}");
            reply.AppendLine(line);
            if (line.Length < 4 || line[3] != '-')
            {
                var code = int.Parse(line.AsSpan(0, 3), System.Globalization.CultureInfo.InvariantCulture);
                Assert.True(code == expected, $"Expected {expected} from the SMTP peer, got: {reply}");
                return reply.ToString();
            }
        }
    }
}
