using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Smtp;
using SecretAdmin.Tests.Support;
using SecretAdmin.Tests.Support.Peers;

namespace SecretAdmin.Tests.Features.Smtp;

/// <summary>Test mail through a real SMTP server on 127.0.0.1 (tests/peers/smtp-server.mjs).</summary>
public sealed class TestMailWithRealServerTests : IAsyncLifetime
{
    private const string User = "mailer";
    private const string Password = "smtp-peer-password-31";
    private static readonly AuditActor Admin = new("admin@example.test", null);

    private readonly TempDataDirectory _temp = new();
    private ServiceProvider _services = default!;
    private SmtpSettingsService _smtp = default!;

    public Task InitializeAsync()
    {
        _services = TestServices.Build(_temp);
        _smtp = _services.GetRequiredService<SmtpSettingsService>();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        _temp.Dispose();
    }

    private static SmtpSettingsForm Form(SmtpPeer peer, string? username = User, string? password = null) => new()
    {
        Host = SmtpPeer.Host,
        Port = peer.Port,
        Security = SmtpSecurity.None,
        Authentication = username is null ? SmtpAuthentication.None : SmtpAuthentication.Password,
        Username = username,
        NewPassword = password,
        FromAddress = "no-reply@example.test",
        FromName = "SecretAdmin",
        TimeoutSeconds = 10,
    };

    [Fact]
    public async Task TestMail_ServerWithoutAuthentication_IsReceived()
    {
        await using var peer = await SmtpPeer.StartAsync();

        var result = await _smtp.SendTestMailAsync(Admin, Form(peer, username: null), "ops@example.test");

        Assert.True(result.Succeeded, result.Message);
        var mail = await peer.WaitForMailAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("SecretAdmin test mail", mail.Subject);
        Assert.Contains("ops@example.test", mail.To);
        Assert.Null(mail.AuthUser);
        Assert.StartsWith("The server accepted the message:", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TestMail_StoredPasswordForTheSavedServer_AuthenticatesAndIsReceived()
    {
        await using var peer = await SmtpPeer.StartAsync(User, Password);
        Assert.True((await _smtp.SaveAsync(Admin, Form(peer, password: Password), 0)).Succeeded);

        var result = await _smtp.SendTestMailAsync(Admin, Form(peer), "ops@example.test");

        Assert.True(result.Succeeded, result.Message);
        var mail = await peer.WaitForMailAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(User, mail.AuthUser);
        Assert.DoesNotContain(Password, mail.Raw, StringComparison.Ordinal);
        Assert.Contains((await _services.GetRequiredService<AuditLog>().SearchAsync(new(Action: AuditActions.SmtpTestMailSent))).Items, e => e.Target == "ops@example.test");
    }

    [Fact]
    public async Task TestMail_WrongPassword_ShowsTheServersRefusalWithoutThePassword()
    {
        await using var peer = await SmtpPeer.StartAsync(User, Password);

        var result = await _smtp.SendTestMailAsync(Admin, Form(peer, password: "not-the-password"), "ops@example.test");

        Assert.False(result.Succeeded);
        Assert.StartsWith("The server refused the username or password:", result.Message, StringComparison.Ordinal);
        Assert.Contains("535", result.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TestMail_RefusedConnection_SaysItCouldNotConnect()
    {
        int port;
        await using (var peer = await SmtpPeer.StartAsync())
        {
            port = peer.Port;
        }

        var form = new SmtpSettingsForm { Host = SmtpPeer.Host, Port = port, Security = SmtpSecurity.None, FromAddress = "no-reply@example.test", TimeoutSeconds = 5 };
        var result = await _smtp.SendTestMailAsync(Admin, form, "ops@example.test");

        Assert.False(result.Succeeded);
        Assert.Equal(MailStep.Connect, result.FailedStep);
        Assert.StartsWith($"Could not connect to 127.0.0.1:{port}", result.Message, StringComparison.Ordinal);
        Assert.Equal("Check the host, the port and any firewall between.", result.Hint);
    }

    [Fact]
    public async Task TestMail_HostThatDoesNotResolve_StopsAtNameResolution()
    {
        var form = new SmtpSettingsForm { Host = "no-such-host.invalid", Port = 587, Security = SmtpSecurity.None, FromAddress = "no-reply@example.test", TimeoutSeconds = 5 };

        var result = await _smtp.SendTestMailAsync(Admin, form, "ops@example.test");

        Assert.Equal(MailStep.NameResolution, result.FailedStep);
        Assert.Equal("The host no-such-host.invalid could not be found.", result.Message);
    }

    [Fact]
    public async Task TestMail_TlsOnConnectToAPlainServer_StopsAtTls()
    {
        await using var peer = await SmtpPeer.StartAsync();
        var form = Form(peer, username: null);
        form.Security = SmtpSecurity.TlsOnConnect;

        var result = await _smtp.SendTestMailAsync(Admin, form, "ops@example.test");

        Assert.Equal(MailStep.Tls, result.FailedStep);
        Assert.Contains("STARTTLS is usually 587, TLS on connect 465", result.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TestMail_StartTlsNotOffered_StopsAtTls()
    {
        await using var peer = await SmtpPeer.StartAsync();
        var form = Form(peer, username: null);
        form.Security = SmtpSecurity.StartTls;

        var result = await _smtp.SendTestMailAsync(Admin, form, "ops@example.test");

        Assert.Equal(MailStep.Tls, result.FailedStep);
        Assert.Equal("Choose another security setting.", result.Hint);
    }

    [Fact]
    public async Task TestMail_BasicAuthenticationDisabledAsMicrosoft365Does_StopsAtSignInAndSuggestsOAuth()
    {
        await using var peer = await SmtpPeer.StartAsync(new SmtpPeerOptions { User = User, Password = Password, BasicAuthDisabled = true });

        var result = await _smtp.SendTestMailAsync(Admin, Form(peer, password: Password), "ops@example.test");

        Assert.Equal(MailStep.Authentication, result.FailedStep);
        Assert.Contains("5.7.139", result.Message, StringComparison.Ordinal);
        Assert.Contains("choose OAuth 2.0", result.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TestMail_SenderTheAccountMayNotSendAs_StopsAtTheSender()
    {
        await using var peer = await SmtpPeer.StartAsync(new SmtpPeerOptions { RefusedSenders = ["no-reply@example.test"] });

        var result = await _smtp.SendTestMailAsync(Admin, Form(peer, username: null), "ops@example.test");

        Assert.Equal(MailStep.Sender, result.FailedStep);
        Assert.Contains("550", result.Message, StringComparison.Ordinal);
        Assert.Contains("may not send as no-reply@example.test", result.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TestMail_UnknownRecipient_StopsAtTheRecipient()
    {
        await using var peer = await SmtpPeer.StartAsync(new SmtpPeerOptions { RefusedRecipients = ["nobody@example.test"] });

        var result = await _smtp.SendTestMailAsync(Admin, Form(peer, username: null), "nobody@example.test");

        Assert.Equal(MailStep.Recipient, result.FailedStep);
        Assert.Contains("5.1.1", result.Message, StringComparison.Ordinal);
        Assert.Contains("does not take mail for nobody@example.test", result.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TestMail_ServerDefersTheMessage_StopsAtDataAsTemporary()
    {
        await using var peer = await SmtpPeer.StartAsync(new SmtpPeerOptions { FailFirst = 1 });

        var result = await _smtp.SendTestMailAsync(Admin, Form(peer, username: null), "ops@example.test");

        Assert.Equal(MailStep.Data, result.FailedStep);
        Assert.Contains("451", result.Message, StringComparison.Ordinal);
        Assert.Equal("The server is busy or limiting; try again later.", result.Hint);
    }

    [Fact]
    public async Task TestMail_StartTlsWithAnUntrustedCertificate_SaysTheCertificateIsNotTrusted()
    {
        await using var peer = await SmtpPeer.StartAsync(User, Password, SmtpPeer.Security.StartTls);
        var form = Form(peer, password: Password);
        form.Security = SmtpSecurity.StartTls;

        var result = await _smtp.SendTestMailAsync(Admin, form, "ops@example.test");

        Assert.False(result.Succeeded);
        Assert.Equal(MailStep.Tls, result.FailedStep);
        Assert.Contains("certificate was not trusted", result.Message, StringComparison.Ordinal);
    }
}
