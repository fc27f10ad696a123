using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace SecretAdmin.Features.Smtp;

/// <summary>Sends one message through an SMTP server with MailKit and turns each way of failing into a sentence a person can act on.</summary>
public static class SmtpMailer
{
    /// <param name="password">The opened password, or null to send without authentication.</param>
    public static async Task<TestMailResult> SendAsync(SmtpServer server, string? password, MimeMessage message, CancellationToken cancellationToken)
    {
        var where = $"{server.Host}:{server.Port}";
        using var client = new SmtpClient { Timeout = server.TimeoutSeconds * 1000 };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(server.TimeoutSeconds));
        try
        {
            await client.ConnectAsync(server.Host, server.Port, SocketOptions(server.Security), timeout.Token);
            if (password is not null)
            {
                await client.AuthenticateAsync(server.Username ?? string.Empty, password, timeout.Token);
            }

            var answer = await client.SendAsync(message, timeout.Token);
            await client.DisconnectAsync(quit: true, timeout.Token);
            return TestMailResult.Sent($"The server accepted the message: {answer}");
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain)
        {
            return TestMailResult.Failed($"The host {server.Host} could not be found. Check the host name.");
        }
        catch (SocketException e)
        {
            return TestMailResult.Failed($"Could not connect to {where}: {e.Message}. Check the host, the port and any firewall between.");
        }
        catch (AuthenticationException e)
        {
            return TestMailResult.Failed($"The server refused the username or password: {e.Message}");
        }
        catch (SslHandshakeException)
        {
            return TestMailResult.Failed($"A TLS connection to {where} could not be made: the server's certificate was not trusted or it does not speak TLS on this port. Check the security setting and the port (STARTTLS is usually 587, TLS on connect 465).");
        }
        catch (SmtpCommandException e)
        {
            return TestMailResult.Failed($"The server refused: {(int)e.StatusCode} {e.Message}");
        }
        catch (NotSupportedException e)
        {
            return TestMailResult.Failed($"{where}: {e.Message} Choose another security setting.");
        }
        catch (Exception e) when (e is SmtpProtocolException or ProtocolException or IOException)
        {
            return TestMailResult.Failed($"The conversation with {where} broke off: {e.Message}. Check that the port and the security setting match the server.");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return TestMailResult.Failed($"{where} did not answer within {server.TimeoutSeconds} seconds.");
        }
        catch (TimeoutException)
        {
            return TestMailResult.Failed($"{where} did not answer within {server.TimeoutSeconds} seconds.");
        }
    }

    private static SecureSocketOptions SocketOptions(SmtpSecurity security) => security switch
    {
        SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
        SmtpSecurity.TlsOnConnect => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.None,
    };
}
