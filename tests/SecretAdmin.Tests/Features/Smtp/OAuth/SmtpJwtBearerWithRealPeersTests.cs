using System.Security.Cryptography;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Smtp;
using SecretAdmin.Features.Smtp.OAuth;
using SecretAdmin.Tests.Support;
using SecretAdmin.Tests.Support.Peers;

namespace SecretAdmin.Tests.Features.Smtp.OAuth;

/// <summary>
/// Mail with a Google Workspace service account against the real peers: the app signs a JWT bearer assertion
/// (RFC 7523 2.1) for the mailbox with the pasted key, the OIDC peer gives a token only for a mailbox the account
/// may act for (domain-wide delegation), and the SMTP peer takes that token with XOAUTH2 only for that mailbox.
/// </summary>
public sealed class SmtpJwtBearerWithRealPeersTests : IAsyncLifetime
{
    private const string Scope = "https://mail.google.com/";
    private const string ServiceAccount = "sender@project.iam.example";
    private const string Mailbox = "alerts@example.test";
    private const string NotDelegated = "ceo@example.test";
    private static readonly AuditActor Admin = new("admin@example.test", null);

    private readonly TempDataDirectory _temp = new();
    private readonly RSA _key = RSA.Create(2048);
    private ServiceProvider _services = default!;
    private SmtpSettingsService _smtp = default!;
    private OidcPeer _oidc = default!;

    public async Task InitializeAsync()
    {
        _services = TestServices.Build(_temp);
        _smtp = _services.GetRequiredService<SmtpSettingsService>();
        _oidc = await OidcPeer.StartAsync(
            "unused-sign-in-secret",
            ["http://127.0.0.1:1/signin-oidc"],
            clientCredentialsScopes: [Scope],
            resourceServer: OidcPeerResourceServer.Default,
            serviceAccounts: [OidcPeerServiceAccount.WithKey(ServiceAccount, _key, Mailbox)]);
    }

    public async Task DisposeAsync()
    {
        await _oidc.DisposeAsync();
        await _services.DisposeAsync();
        _key.Dispose();
        _temp.Dispose();
    }

    private Task<SmtpPeer> MailServerAsync() =>
        SmtpPeer.StartAsync(new SmtpPeerOptions { XOAuth2 = SmtpPeerOptions.XOAuth2Check.Against(_oidc, Scope) });

    private SmtpSettingsForm Form(SmtpPeer peer, string mailbox = Mailbox, RSA? key = null) => new()
    {
        Host = SmtpPeer.Host,
        Port = peer.Port,
        Security = SmtpSecurity.None,
        Authentication = SmtpAuthentication.OAuth,
        OAuthGrant = OAuthGrant.JwtBearer,
        Username = mailbox,
        OAuthTokenEndpoint = _oidc.TokenEndpoint,
        OAuthClientId = ServiceAccount,
        OAuthScope = Scope,
        NewOAuthPrivateKey = (key ?? _key).ExportPkcs8PrivateKeyPem(),
        FromAddress = mailbox,
        TimeoutSeconds = 10,
    };

    private async Task SaveAsync(SmtpSettingsForm form)
    {
        var result = await _smtp.SaveAsync(Admin, form, (await _smtp.GetAsync()).Version);
        Assert.True(result.Succeeded, result.Message);
    }

    /// <summary>The saved settings as the page loads them: nothing typed, every secret kept.</summary>
    private async Task<SmtpSettingsForm> SavedFormAsync() => SmtpSettingsForm.From(await _smtp.GetAsync());

    [Fact]
    public async Task TestMail_ServiceAccountForItsMailbox_GetsATokenForThatMailboxAndSendsAsIt()
    {
        await using var mail = await MailServerAsync();
        await SaveAsync(Form(mail));

        var result = await _smtp.SendTestMailAsync(Admin, await SavedFormAsync(), "ops@example.test");

        Assert.True(result.Succeeded, $"{result.Message} {result.Hint} {mail.Log} {_oidc.Log}");
        Assert.Equal(Mailbox, (await mail.WaitForMailAsync(TimeSpan.FromSeconds(10))).AuthUser);
        Assert.Equal(new SmtpPeer.AuthAttempt("XOAUTH2", Mailbox, true, ServiceAccount, null, Mailbox), Assert.Single(mail.AuthAttemptDetails));
        Assert.Equal(new OidcPeer.DelegatedToken(ServiceAccount, Mailbox, Scope), Assert.Single(_oidc.JwtBearerIssued));
        Assert.Empty(_oidc.ClientCredentialsIssued);
    }

    [Fact]
    public async Task TestMail_MailboxTheAccountMayNotActFor_StopsAtTheTokenRequestWithTheDelegationHint()
    {
        await using var mail = await MailServerAsync();
        await SaveAsync(Form(mail, mailbox: NotDelegated));

        var result = await _smtp.SendTestMailAsync(Admin, await SavedFormAsync(), "ops@example.test");

        Assert.False(result.Succeeded);
        Assert.Equal(MailStep.TokenRequest, result.FailedStep);
        Assert.Contains("400 invalid_grant", result.Message, StringComparison.Ordinal);
        Assert.Contains($"may not act for {NotDelegated}", result.Message, StringComparison.Ordinal);
        Assert.Contains("domain-wide delegation", result.Hint, StringComparison.Ordinal);
        Assert.Empty(mail.AuthAttemptDetails);
        Assert.Equal(new OidcPeer.RefusedTokenRequest(ServiceAccount, "invalid_grant"), Assert.Single(_oidc.JwtBearerRefused));
    }

    [Fact]
    public async Task TestMail_KeyTheProviderDoesNotKnow_StopsAtTheTokenRequestWithTheProvidersErrorAndAHintAboutTheKey()
    {
        using var otherKey = RSA.Create(2048);
        await using var mail = await MailServerAsync();
        await SaveAsync(Form(mail, key: otherKey));

        var result = await _smtp.SendTestMailAsync(Admin, await SavedFormAsync(), "ops@example.test");

        Assert.Equal(MailStep.TokenRequest, result.FailedStep);
        Assert.Contains("400 invalid_grant", result.Message, StringComparison.Ordinal);
        Assert.Contains("Invalid JWT Signature", result.Message, StringComparison.Ordinal);
        Assert.Contains("check that the private key pasted here is a key of the service account", result.Hint, StringComparison.Ordinal);
        Assert.DoesNotContain("domain-wide delegation", result.Hint, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", result.Message + result.Hint, StringComparison.Ordinal);
        Assert.Empty(mail.AuthAttemptDetails);
        Assert.Equal(new OidcPeer.RefusedTokenRequest(ServiceAccount, "invalid_grant"), Assert.Single(_oidc.JwtBearerRefused));
        Assert.Empty(_oidc.JwtBearerIssued);
    }

    [Fact]
    public async Task TestMail_Twice_AsksForOneTokenAndUsesItTwice()
    {
        await using var mail = await MailServerAsync();
        await SaveAsync(Form(mail));

        Assert.True((await _smtp.SendTestMailAsync(Admin, await SavedFormAsync(), "ops@example.test")).Succeeded);
        Assert.True((await _smtp.SendTestMailAsync(Admin, await SavedFormAsync(), "ops@example.test")).Succeeded);

        Assert.Equal(1, _oidc.CountJwtBearerIssued(ServiceAccount));
        Assert.Equal(2, mail.AuthAttemptDetails.Count(a => a.Accepted && a.Subject == Mailbox));
    }
}
