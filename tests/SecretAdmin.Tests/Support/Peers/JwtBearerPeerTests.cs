using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace SecretAdmin.Tests.Support.Peers;

/// <summary>
/// The test peers as Google Workspace: the OIDC peer gives a service account tokens for the mailboxes it may act
/// for (the JWT bearer grant, RFC 7523 2.1, without client authentication), refuses every assertion Google would,
/// and the SMTP peer takes such a token with XOAUTH2 only for the mailbox it was issued for.
/// </summary>
public sealed class JwtBearerPeerTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private const string ServiceAccount = "sender@project.iam.example";
    private const string Mailbox = "alerts@example.test";
    private const string OtherMailbox = "ceo@example.test";
    private const string Scope = "https://mail.google.com/";
    private const string JwtBearer = "urn:ietf:params:oauth:grant-type:jwt-bearer";

    private readonly RSA _key = RSA.Create(2048);
    private OidcPeer _oidc = default!;

    public async Task InitializeAsync() =>
        _oidc = await OidcPeer.StartAsync(
            "unused-sign-in-secret",
            ["http://127.0.0.1:1/signin-oidc"],
            clientCredentialsScopes: [Scope],
            resourceServer: OidcPeerResourceServer.Default,
            serviceAccounts: [OidcPeerServiceAccount.WithKey(ServiceAccount, _key, Mailbox)]);

    public async Task DisposeAsync()
    {
        await _oidc.DisposeAsync();
        _key.Dispose();
    }

    [Fact]
    public async Task XOAuth2_TokenForTheMailbox_SendsAsThatMailboxAndNoOther()
    {
        await using var smtp = await SmtpPeer.StartAsync(new SmtpPeerOptions { XOAuth2 = SmtpPeerOptions.XOAuth2Check.Against(_oidc, Scope) });
        using var response = await PostAsync(Assertion());
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {body} {_oidc.Log}");
        var token = JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!;

        await SendAsync(smtp, Mailbox, token);
        var refused = await Assert.ThrowsAsync<AuthenticationException>(() => SendAsync(smtp, OtherMailbox, token));

        Assert.Equal(Mailbox, (await smtp.WaitForMailAsync(Wait)).AuthUser);
        Assert.Equal(new SmtpPeer.AuthAttempt("XOAUTH2", Mailbox, true, ServiceAccount, null, Mailbox), await smtp.WaitForAuthAttemptAsync(Wait));
        Assert.Equal(
            new SmtpPeer.AuthAttempt("XOAUTH2", OtherMailbox, false, ServiceAccount, $"token is for {Mailbox}, not {OtherMailbox}", Mailbox),
            await smtp.WaitForAuthAttemptAsync(Wait));
        Assert.Contains("5.7.3", refused.Message, StringComparison.Ordinal);
        Assert.Equal([new OidcPeer.DelegatedToken(ServiceAccount, Mailbox, Scope)], _oidc.JwtBearerIssued);
        Assert.DoesNotContain(token, _oidc.Log + smtp.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Introspection_JwtBearerToken_NamesTheServiceAccountTheScopeAndTheMailbox()
    {
        using var response = await PostAsync(Assertion());
        var token = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString()!;

        var introspection = await IntrospectAsync(token);

        Assert.True(introspection.GetProperty("active").GetBoolean());
        Assert.Equal(ServiceAccount, introspection.GetProperty("client_id").GetString());
        Assert.Equal(Mailbox, introspection.GetProperty("sub").GetString());
        Assert.Equal(Scope, introspection.GetProperty("scope").GetString());
    }

    [Theory]
    [InlineData("another mailbox", "invalid_grant")]
    [InlineData("another audience", "invalid_grant")]
    [InlineData("another issuer", "invalid_grant")]
    [InlineData("another key", "invalid_grant")]
    [InlineData("another kid", "invalid_grant")]
    [InlineData("expired", "invalid_grant")]
    [InlineData("two hours to live", "invalid_grant")]
    [InlineData("no jti", "invalid_grant")]
    [InlineData("another scope", "invalid_scope")]
    [InlineData("no scope", "invalid_scope")]
    public async Task TokenEndpoint_AssertionGoogleWouldRefuse_IsRefused(string flaw, string error)
    {
        using var otherKey = RSA.Create(2048);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var assertion = flaw switch
        {
            "another mailbox" => Assertion(subject: OtherMailbox),
            "another audience" => Assertion(audience: "https://oauth2.googleapis.com/token"),
            "another issuer" => Assertion(issuer: "stranger@project.iam.example"),
            "another key" => Assertion(key: otherKey, kid: Kid(_key)),
            "another kid" => Assertion(kid: Kid(otherKey)),
            "expired" => Assertion(issuedAt: now - 600, expires: now - 300),
            "two hours to live" => Assertion(expires: now + 7200),
            "no jti" => Assertion(jti: null),
            "another scope" => Assertion(scope: "https://www.googleapis.com/auth/gmail.send"),
            _ => Assertion(scope: null),
        };

        using var response = await PostAsync(assertion, withScopeParameter: flaw != "no scope" && flaw != "another scope");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(error, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
        var refusal = await _oidc.WaitForEventAsync("jwt_bearer.refused", Wait);
        Assert.Equal(flaw == "another issuer" ? "stranger@project.iam.example" : ServiceAccount, refusal.GetProperty("clientId").GetString());
        Assert.Empty(_oidc.JwtBearerIssued);
    }

    [Fact]
    public async Task TokenEndpoint_AssertionUsedTwice_IsRefusedTheSecondTime()
    {
        var assertion = Assertion();

        using var first = await PostAsync(assertion);
        using var second = await PostAsync(assertion);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, second.StatusCode);
        Assert.Equal(1, _oidc.CountJwtBearerIssued(ServiceAccount));
        Assert.Equal([new OidcPeer.RefusedTokenRequest(ServiceAccount, "invalid_grant")], _oidc.JwtBearerRefused);
    }

    [Fact]
    public void ServiceAccount_WithKey_RegistersOnlyThePublicPartWithItsThumbprintAsKid()
    {
        var account = OidcPeerServiceAccount.WithKey(ServiceAccount, _key, Mailbox);

        using var jwk = JsonDocument.Parse(account.PublicJwk);
        Assert.False(jwk.RootElement.TryGetProperty("d", out _));
        Assert.Equal(Kid(_key), jwk.RootElement.GetProperty("kid").GetString());
        Assert.Equal([Mailbox], account.Subjects);
    }

    /// <summary>A JWT bearer assertion signed by hand, as Google asks for one; each part can be made wrong.</summary>
    private string Assertion(
        string? subject = Mailbox,
        string? audience = null,
        string issuer = ServiceAccount,
        RSA? key = null,
        string? kid = null,
        long? issuedAt = null,
        long? expires = null,
        string? jti = "",
        string? scope = Scope)
    {
        var signer = key ?? _key;
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = Base64UrlJson(new Dictionary<string, object> { ["alg"] = "RS256", ["typ"] = "JWT", ["kid"] = kid ?? Kid(signer) });
        var claims = new Dictionary<string, object>
        {
            ["iss"] = issuer,
            ["aud"] = audience ?? _oidc.TokenEndpoint,
            ["iat"] = issuedAt ?? now,
            ["exp"] = expires ?? now + 300,
        };
        if (subject is not null)
        {
            claims["sub"] = subject;
        }

        if (jti is not null)
        {
            claims["jti"] = jti.Length > 0 ? jti : Guid.NewGuid().ToString("N");
        }

        if (scope is not null)
        {
            claims["scope"] = scope;
        }

        var input = $"{header}.{Base64UrlJson(claims)}";
        var signature = signer.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{input}.{System.Buffers.Text.Base64Url.EncodeToString(signature)}";
    }

    private static string Kid(RSA key) => OidcPeerClient.RsaMembers(key.ExportParameters(false))["kid"];

    /// <summary>A JWT bearer token request as Google takes it: no client id, no client authentication.</summary>
    private async Task<HttpResponseMessage> PostAsync(string assertion, bool withScopeParameter = true)
    {
        var form = new Dictionary<string, string> { ["grant_type"] = JwtBearer, ["assertion"] = assertion };
        if (withScopeParameter)
        {
            form["scope"] = Scope;
        }

        using var http = new HttpClient();
        return await http.PostAsync(_oidc.TokenEndpoint, new FormUrlEncodedContent(form));
    }

    private async Task<JsonElement> IntrospectAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _oidc.IntrospectionEndpoint)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token }),
        };
        var resourceServer = OidcPeerResourceServer.Default;
        request.Headers.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{resourceServer.ClientId}:{resourceServer.ClientSecret}")));
        using var http = new HttpClient();
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {body} {_oidc.Log}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static string Base64UrlJson(Dictionary<string, object> value) =>
        System.Buffers.Text.Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(value));

    /// <summary>Sends one message with MailKit as <paramref name="user"/> with XOAUTH2.</summary>
    private static async Task SendAsync(SmtpPeer smtp, string user, string token)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(user));
        message.To.Add(MailboxAddress.Parse("ops@example.test"));
        message.Subject = "Sent for a mailbox";
        message.Body = new TextPart("plain") { Text = "Hello." };

        using var client = new SmtpClient();
        await client.ConnectAsync(SmtpPeer.Host, smtp.Port, SecureSocketOptions.None);
        await client.AuthenticateAsync(new SaslMechanismOAuth2(user, token));
        await client.SendAsync(message);
        await client.DisconnectAsync(quit: true);
    }
}
