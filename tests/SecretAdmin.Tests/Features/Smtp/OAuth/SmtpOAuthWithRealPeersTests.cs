using System.Security.Cryptography;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Smtp;
using SecretAdmin.Features.Smtp.OAuth;
using SecretAdmin.Tests.Support;
using SecretAdmin.Tests.Support.Peers;

namespace SecretAdmin.Tests.Features.Smtp.OAuth;

/// <summary>
/// Mail with OAuth 2.0 (XOAUTH2) against the real peers: the OIDC peer issues client-credentials
/// tokens, and the SMTP peer takes a bearer only when that provider's introspection says it is
/// active and carries the scope (as Microsoft 365 takes one for https://outlook.office365.com/.default).
/// </summary>
public sealed class SmtpOAuthWithRealPeersTests : IAsyncLifetime
{
    private const string Scope = "https://outlook.office365.com/.default";
    private const string Mailbox = "alerts@example.test";
    private const string SecretPostClient = "mailer-post";
    private const string SecretBasicClient = "mailer-basic";
    private const string KeyClient = "mailer-key";
    private const string ClientSecret = "cc-secret-Vb71-not-for-anyone";
    private static readonly AuditActor Admin = new("admin@example.test", null);
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private readonly TempDataDirectory _temp = new();
    private readonly RSA _key = RSA.Create(2048);
    private ServiceProvider _services = default!;
    private SmtpSettingsService _smtp = default!;
    private OidcPeer _oidc = default!;
    private string _keyPem = default!;

    public async Task InitializeAsync()
    {
        _services = TestServices.Build(_temp);
        _smtp = _services.GetRequiredService<SmtpSettingsService>();
        _keyPem = _key.ExportPkcs8PrivateKeyPem();
        var (_, certificate, _) = OAuthSigningKey.Import(_keyPem, Now);
        _oidc = await OidcPeer.StartAsync(
            "unused-sign-in-secret",
            ["http://127.0.0.1:1/signin-oidc"],
            shape: OidcPeerShape.Entra(Guid.Parse("00000000-0000-0000-0000-0000000000aa")),
            clientCredentialsClients:
            [
                OidcPeerClient.WithSecret(SecretPostClient, ClientSecret, OidcPeerClient.SecretMethod.Post),
                OidcPeerClient.WithSecret(SecretBasicClient, ClientSecret, OidcPeerClient.SecretMethod.Basic),
                OidcPeerClient.WithPrivateKey(KeyClient, OAuthSigningKey.PublicPartOf(certificate!).Jwk),
            ],
            clientCredentialsScopes: [Scope, "https://example.test/other"],
            resourceServer: OidcPeerResourceServer.Default);
    }

    public async Task DisposeAsync()
    {
        await _oidc.DisposeAsync();
        await _services.DisposeAsync();
        _key.Dispose();
        _temp.Dispose();
    }

    private Task<SmtpPeer> MailServerAsync(int? tokenUses = null, string requiredScope = Scope) =>
        SmtpPeer.StartAsync(new SmtpPeerOptions { XOAuth2 = SmtpPeerOptions.XOAuth2Check.Against(_oidc, requiredScope, tokenUses) });

    private SmtpSettingsForm Form(SmtpPeer peer, string clientId, OAuthClientAuthentication method, string? secret = ClientSecret, string scope = Scope) => new()
    {
        Host = SmtpPeer.Host,
        Port = peer.Port,
        Security = SmtpSecurity.None,
        Authentication = SmtpAuthentication.OAuth,
        Username = Mailbox,
        OAuthTokenEndpoint = _oidc.TokenEndpoint,
        OAuthClientId = clientId,
        OAuthScope = scope,
        OAuthClientAuthentication = method,
        NewOAuthClientSecret = method == OAuthClientAuthentication.PrivateKeyJwt ? null : secret,
        NewOAuthPrivateKey = method == OAuthClientAuthentication.PrivateKeyJwt ? _keyPem : null,
        FromAddress = Mailbox,
        TimeoutSeconds = 10,
    };

    private async Task SaveAsync(SmtpSettingsForm form)
    {
        var result = await _smtp.SaveAsync(Admin, form, (await _smtp.GetAsync()).Version);
        Assert.True(result.Succeeded, result.Message);
    }

    /// <summary>The saved settings as the page loads them: nothing typed, every secret kept.</summary>
    private async Task<SmtpSettingsForm> SavedFormAsync() => SmtpSettingsForm.From(await _smtp.GetAsync());

    [Theory]
    [InlineData(SecretPostClient, OAuthClientAuthentication.ClientSecretPost, "client_secret_post")]
    [InlineData(SecretBasicClient, OAuthClientAuthentication.ClientSecretBasic, "client_secret_basic")]
    [InlineData(KeyClient, OAuthClientAuthentication.PrivateKeyJwt, "private_key_jwt")]
    public async Task TestMail_StoredCredential_GetsATokenTheWayItIsRegisteredAndTheMailboxTakesIt(string clientId, OAuthClientAuthentication method, string sentAs)
    {
        await using var mail = await MailServerAsync();
        await SaveAsync(Form(mail, clientId, method));

        var result = await _smtp.SendTestMailAsync(Admin, await SavedFormAsync(), "ops@example.test");

        Assert.True(result.Succeeded, $"{result.Message} {result.Hint} {mail.Log} {_oidc.Log}");
        var received = await mail.WaitForMailAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(Mailbox, received.AuthUser);
        var attempt = Assert.Single(mail.AuthAttemptDetails);
        Assert.Equal(("XOAUTH2", clientId, true), (attempt.Method, attempt.ClientId, attempt.Accepted));
        var issued = Assert.Single(_oidc.ClientCredentialsIssued);
        Assert.Equal((clientId, sentAs, Scope), (issued.ClientId, issued.AuthMethod, issued.Scope));
    }

    [Fact]
    public async Task TestMail_Twice_AsksForOneTokenAndUsesItTwice()
    {
        await using var mail = await MailServerAsync();
        await SaveAsync(Form(mail, SecretPostClient, OAuthClientAuthentication.ClientSecretPost));

        Assert.True((await _smtp.SendTestMailAsync(Admin, await SavedFormAsync(), "ops@example.test")).Succeeded);
        Assert.True((await _smtp.SendTestMailAsync(Admin, await SavedFormAsync(), "ops@example.test")).Succeeded);

        Assert.Equal(1, _oidc.CountClientCredentialsIssued(SecretPostClient));
        Assert.Equal(2, mail.AuthAttemptDetails.Count(a => a.Accepted));
    }

    [Fact]
    public async Task TestMail_CachedTokenNoLongerTaken_FetchesANewOneOnceAndSends()
    {
        await using var mail = await MailServerAsync(tokenUses: 1);
        await SaveAsync(Form(mail, SecretPostClient, OAuthClientAuthentication.ClientSecretPost));
        Assert.True((await _smtp.SendTestMailAsync(Admin, await SavedFormAsync(), "ops@example.test")).Succeeded);

        var second = await _smtp.SendTestMailAsync(Admin, await SavedFormAsync(), "ops@example.test");

        Assert.True(second.Succeeded, second.Message);
        Assert.Equal(2, _oidc.CountClientCredentialsIssued(SecretPostClient));
        Assert.Equal([true, false, true], mail.AuthAttemptDetails.Select(a => a.Accepted));
    }

    [Fact]
    public async Task TestMail_TokenWithoutTheScopeTheServerWants_IsRefreshedOnceThenStopsAtSignInWithAHint()
    {
        await using var mail = await MailServerAsync();
        await SaveAsync(Form(mail, SecretPostClient, OAuthClientAuthentication.ClientSecretPost, scope: "https://example.test/other"));

        var result = await _smtp.SendTestMailAsync(Admin, await SavedFormAsync(), "ops@example.test");

        Assert.False(result.Succeeded);
        Assert.Equal(MailStep.Authentication, result.FailedStep);
        Assert.StartsWith("The server refused the access token:", result.Message, StringComparison.Ordinal);
        Assert.Contains("5.7.3", result.Message, StringComparison.Ordinal);
        Assert.Contains("check the scope", result.Hint, StringComparison.Ordinal);
        Assert.Equal(2, _oidc.CountClientCredentialsIssued(SecretPostClient));
        Assert.Equal(2, mail.AuthAttemptDetails.Count);
    }

    [Fact]
    public async Task TestMail_WrongClientSecret_StopsAtTheTokenRequestAndTheMailServerSeesNoToken()
    {
        await using var mail = await MailServerAsync();
        await SaveAsync(Form(mail, SecretPostClient, OAuthClientAuthentication.ClientSecretPost, secret: "not-the-client-secret"));

        var result = await _smtp.SendTestMailAsync(Admin, await SavedFormAsync(), "ops@example.test");

        Assert.Equal(MailStep.TokenRequest, result.FailedStep);
        Assert.Contains("401 invalid_client", result.Message, StringComparison.Ordinal);
        Assert.Contains("Check the client id and the client secret", result.Hint, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-client-secret", result.Message + result.Hint, StringComparison.Ordinal);
        Assert.Empty(mail.AuthAttemptDetails);
        Assert.Equal(SecretPostClient, Assert.Single(_oidc.ClientCredentialsRefused).ClientId);
    }

    [Fact]
    public async Task TestMail_OtherTokenEndpointWithTheStoredSecret_IsNotSentThereAndAsksForItTyped()
    {
        await using var mail = await MailServerAsync();
        await SaveAsync(Form(mail, SecretPostClient, OAuthClientAuthentication.ClientSecretPost));
        await using var other = await OidcPeer.StartAsync(
            "unused", ["http://127.0.0.1:1/signin-oidc"], clientCredentialsClients: [OidcPeerClient.WithSecret(SecretPostClient, ClientSecret)], clientCredentialsScopes: [Scope]);
        var form = await SavedFormAsync();
        form.OAuthTokenEndpoint = other.TokenEndpoint;

        var result = await _smtp.SendTestMailAsync(Admin, form, "ops@example.test");

        Assert.Contains("so the stored client secret is not sent there", Assert.Single(result.Errors[nameof(form.NewOAuthClientSecret)]), StringComparison.Ordinal);
        Assert.DoesNotContain(other.Requests, path => path.EndsWith("/token", StringComparison.Ordinal));
        Assert.Empty(other.ClientCredentialsIssued);
    }

    [Fact]
    public async Task Save_TokenEndpointChangedKeepingTheSecret_IsRefusedOnTheSecret()
    {
        await using var mail = await MailServerAsync();
        await SaveAsync(Form(mail, SecretPostClient, OAuthClientAuthentication.ClientSecretPost));
        var form = await SavedFormAsync();
        form.OAuthClientId = "another-client";

        var result = await _smtp.SaveAsync(Admin, form, (await _smtp.GetAsync()).Version);

        Assert.Equal([SmtpSettingsValidator.OAuthClientChangedMessage], result.Errors[nameof(form.NewOAuthClientSecret)]);
        Assert.Equal(SecretPostClient, (await _smtp.GetAsync()).OAuthClientId);
    }

    [Fact]
    public async Task Save_PastedKey_IsStoredSealedAndOnlyItsPublicPartIsShown()
    {
        await using var mail = await MailServerAsync();

        await SaveAsync(Form(mail, KeyClient, OAuthClientAuthentication.PrivateKeyJwt));

        var view = await _smtp.GetAsync();
        Assert.IsType<SecretAdmin.Security.SecretStatus.Set>(view.OAuthPrivateKey);
        Assert.NotNull(view.OAuthPublicKey);
        Assert.DoesNotContain("PRIVATE", view.OAuthPublicKey.CertificatePem + view.OAuthPublicKey.Jwk, StringComparison.Ordinal);
        var line = System.Text.Encoding.ASCII.GetBytes(_keyPem.Split('\n')[1]);
        Assert.All(_temp.StoredBytes(), bytes => Assert.True(bytes.AsSpan().IndexOf(line) < 0, "the private key is stored in plain text"));
    }
}
