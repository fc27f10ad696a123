using System.Net;
using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using SecretAdmin.Features.Smtp.OAuth;

namespace SecretAdmin.Features.Smtp;

/// <summary>
/// Hands one message to an SMTP server with MailKit, step by step, and turns a failure into the
/// step it stopped at, the server's reply and a hint a person can act on.
/// </summary>
public static class SmtpMailer
{
    public static async Task<MailDelivery> SendAsync(SmtpServer server, SmtpCredential credential, MimeMessage message, CancellationToken cancellationToken)
    {
        var where = $"{server.Host}:{server.Port}";
        var step = MailStep.NameResolution;
        using var client = new SmtpClient { Timeout = server.TimeoutSeconds * 1000 };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(server.TimeoutSeconds));
        try
        {
            if (!IPAddress.TryParse(server.Host, out _))
            {
                await Dns.GetHostAddressesAsync(server.Host, timeout.Token);
            }

            step = MailStep.Connect;
            await client.ConnectAsync(server.Host, server.Port, SocketOptions(server.Security), timeout.Token);
            step = MailStep.Authentication;
            await SignInAsync(client, credential, s => step = s, timeout.Token);

            step = MailStep.Sender;
            var answer = await client.SendAsync(message, timeout.Token);
            await client.DisconnectAsync(quit: true, timeout.Token);
            return MailDelivery.Accepted(answer);
        }
        catch (SocketException e) when (step == MailStep.NameResolution || e.SocketErrorCode is SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain)
        {
            return MailDelivery.Failed(MailStep.NameResolution, $"The host {server.Host} could not be found.", "Check the host name, and that this machine's DNS can resolve it.");
        }
        catch (SocketException e)
        {
            return MailDelivery.Failed(MailStep.Connect, $"Could not connect to {where}: {e.Message}.", "Check the host, the port and any firewall between.");
        }
        catch (SslHandshakeException)
        {
            return MailDelivery.Failed(
                MailStep.Tls,
                $"A TLS connection to {where} could not be made: the server's certificate was not trusted or it does not speak TLS on this port.",
                "Check the security setting and the port: STARTTLS is usually 587, TLS on connect 465.");
        }
        catch (OAuthTokenException e)
        {
            return MailDelivery.Failed(MailStep.TokenRequest, e.Message, e.Hint);
        }
        catch (AuthenticationException e)
        {
            var refused = credential is SmtpCredential.OAuthCredential ? "The server refused the access token" : "The server refused the username or password";
            return MailDelivery.Failed(MailStep.Authentication, $"{refused}: {e.Message}", AuthenticationHint(server, credential, e.Message));
        }
        catch (SmtpCommandException e)
        {
            var failed = e.ErrorCode switch
            {
                SmtpErrorCode.SenderNotAccepted => MailStep.Sender,
                SmtpErrorCode.RecipientNotAccepted => MailStep.Recipient,
                SmtpErrorCode.MessageNotAccepted => MailStep.Data,
                _ => step,
            };
            var reply = $"{(int)e.StatusCode} {e.Message}";
            return MailDelivery.Failed(failed, $"The server refused: {reply}", CommandHint(failed, reply, e.Mailbox), permanent: (int)e.StatusCode >= 500 && failed is MailStep.Sender or MailStep.Recipient or MailStep.Data);
        }
        catch (NotSupportedException e)
        {
            return MailDelivery.Failed(step == MailStep.Connect ? MailStep.Tls : step, $"{where}: {e.Message}", step == MailStep.Connect ? "Choose another security setting." : "Choose a sign-in the server offers.");
        }
        catch (Exception e) when (e is SmtpProtocolException or ProtocolException or IOException)
        {
            return MailDelivery.Failed(step, $"The conversation with {where} broke off: {e.Message}", "Check that the port and the security setting match the server.");
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            return MailDelivery.Failed(step, $"{where} did not answer within {server.TimeoutSeconds} seconds.", "Check the host and the port, or allow a longer timeout.");
        }
    }

    private static async Task SignInAsync(SmtpClient client, SmtpCredential credential, Action<MailStep> at, CancellationToken cancellationToken)
    {
        switch (credential)
        {
            case SmtpCredential.PasswordCredential password:
                await client.AuthenticateAsync(password.Username, password.Password, cancellationToken);
                break;
            case SmtpCredential.OAuthCredential oauth:
                at(MailStep.TokenRequest);
                var token = await oauth.AccessToken(false, cancellationToken);
                at(MailStep.Authentication);
                try
                {
                    await client.AuthenticateAsync(new SaslMechanismOAuth2(oauth.Username, token), cancellationToken);
                }
                catch (AuthenticationException)
                {
                    // A cached token the server no longer takes (revoked, or its clock ahead): one fresh token, once.
                    at(MailStep.TokenRequest);
                    token = await oauth.AccessToken(true, cancellationToken);
                    at(MailStep.Authentication);
                    await client.AuthenticateAsync(new SaslMechanismOAuth2(oauth.Username, token), cancellationToken);
                }

                break;
        }
    }

    /// <summary>What to do about a refused sign-in, for the providers whose refusals are known.</summary>
    private static string AuthenticationHint(SmtpServer server, SmtpCredential credential, string reply)
    {
        var microsoft = SmtpProviders.IsMicrosoft365(server.Host);
        if (credential is SmtpCredential.PasswordCredential && (reply.Contains("5.7.30", StringComparison.Ordinal) || reply.Contains("5.7.139", StringComparison.Ordinal) || microsoft))
        {
            return "Microsoft 365 no longer accepts passwords for SMTP AUTH (Basic authentication is off by default from the end of December 2026): choose OAuth 2.0 under Sign-in.";
        }

        if (credential is SmtpCredential.PasswordCredential && (reply.Contains("5.7.8", StringComparison.Ordinal) || SmtpProviders.IsGoogle(server.Host)))
        {
            return "Google accepts an app password or OAuth 2.0, not the account's own password: choose OAuth 2.0, or use an app password.";
        }

        return credential switch
        {
            SmtpCredential.OAuthCredential when microsoft =>
                "The token was issued but the mailbox refused it: the app needs the SMTP.SendAsApp application permission with admin consent, and its service principal needs access to the mailbox (Add-MailboxPermission).",
            SmtpCredential.OAuthCredential =>
                "The token was issued but the server refused it: check the scope, and that the client may send as the username's mailbox.",
            _ => "Check the username and the password.",
        };
    }

    private static string? CommandHint(MailStep step, string reply, MailboxAddress? mailbox) => step switch
    {
        MailStep.Sender => $"The account may not send as {mailbox?.Address ?? "the From address"}: use the mailbox's own address as the From address, or give the account the right to send as it.",
        MailStep.Recipient => $"The server does not take mail for {mailbox?.Address ?? "this recipient"}: check the address.",
        MailStep.Data when reply.StartsWith('4') => "The server is busy or limiting; try again later.",
        _ => null,
    };

    private static SecureSocketOptions SocketOptions(SmtpSecurity security) => security switch
    {
        SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
        SmtpSecurity.TlsOnConnect => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.None,
    };
}
