using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace SecretAdmin.Tests.Support.Peers;

/// <summary>
/// The test peers as an OAuth 2.0 mail setup: the OIDC peer issues client credentials tokens to machine
/// clients (client_secret_post, client_secret_basic, private_key_jwt) and the SMTP peer takes them with
/// AUTH XOAUTH2, checking each at the OIDC peer's introspection endpoint; and the SMTP peer's refusals of
/// real servers (basic authentication disabled, refused senders and recipients, deferred messages).
/// </summary>
public sealed class OAuthPeerTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private const string RedirectUri = "http://127.0.0.1:5999/signin-oidc";
    private const string MainSecret = "peer-test-secret";
    private const string MailerId = "mailer";
    private const string MailerSecret = "mailer-secret";
    private const string Mailbox = "mailer@example.test";
    private const string GoogleScope = "https://mail.google.com/";
    private const string OutlookScope = "https://outlook.office365.com/.default";

    [Theory]
    [InlineData("post")]
    [InlineData("basic")]
    [InlineData("RS256")]
    [InlineData("PS256")]
    [InlineData("ES256")]
    public async Task XOAuth2_TokenFromEachClientAuthMethod_SendsMail(string method)
    {
        using var key = method switch
        {
            "ES256" => (AsymmetricAlgorithm)ECDsa.Create(ECCurve.NamedCurves.nistP256),
            _ => RSA.Create(2048),
        };
        // Both ways to register a public key: the key itself (only its public part reaches the peer) and a public JWK as JSON.
        var client = method switch
        {
            "post" => OidcPeerClient.WithSecret(MailerId, MailerSecret, OidcPeerClient.SecretMethod.Post),
            "basic" => OidcPeerClient.WithSecret(MailerId, MailerSecret, OidcPeerClient.SecretMethod.Basic),
            "PS256" => OidcPeerClient.WithPrivateKey(MailerId, PublicRsaJwk((RSA)key)),
            _ => OidcPeerClient.WithPrivateKey(MailerId, key),
        };
        Assert.DoesNotContain("\"d\"", client.PublicJwk ?? string.Empty, StringComparison.Ordinal);
        await using var oidc = await StartOidcAsync(client);
        await using var smtp = await SmtpPeer.StartAsync(new SmtpPeerOptions { XOAuth2 = SmtpPeerOptions.XOAuth2Check.Against(oidc, GoogleScope) });

        var token = await GetTokenAsync(oidc, client, GoogleScope, key, method is "post" or "basic" ? null : method);
        await SendAsync(smtp, new SaslMechanismOAuth2(Mailbox, token), "Sent with OAuth");

        var mail = await smtp.WaitForMailAsync(Wait);
        Assert.Equal("Sent with OAuth", mail.Subject);
        Assert.Equal(Mailbox, mail.AuthUser);
        Assert.Equal(new SmtpPeer.AuthAttempt("XOAUTH2", Mailbox, true, MailerId, null), await smtp.WaitForAuthAttemptAsync(Wait));
        Assert.Equal([new OidcPeer.IssuedToken(MailerId, client.TokenEndpointAuthMethod, GoogleScope)], oidc.ClientCredentialsIssued);
        Assert.Equal(1, oidc.CountClientCredentialsIssued(MailerId));
        Assert.DoesNotContain(token, oidc.Log + smtp.Log, StringComparison.Ordinal);
    }

    [Fact]
    public void OidcPeerClient_JwkWithItsPrivateMember_IsRefused()
    {
        using var key = RSA.Create(2048);
        var parameters = key.ExportParameters(true);
        var privateJwk = JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["kty"] = "RSA",
            ["n"] = System.Buffers.Text.Base64Url.EncodeToString(parameters.Modulus),
            ["e"] = System.Buffers.Text.Base64Url.EncodeToString(parameters.Exponent),
            ["d"] = System.Buffers.Text.Base64Url.EncodeToString(parameters.D),
        });

        var error = Assert.Throws<ArgumentException>(() => OidcPeerClient.WithPrivateKey(MailerId, privateJwk));

        Assert.Contains("public JWK", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(System.Buffers.Text.Base64Url.EncodeToString(parameters.D), error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(OidcPeerClient.SecretMethod.Post)]
    [InlineData(OidcPeerClient.SecretMethod.Basic)]
    public async Task TokenEndpoint_WrongSecret_IsRefusedAsInvalidClient(OidcPeerClient.SecretMethod method)
    {
        var client = OidcPeerClient.WithSecret(MailerId, MailerSecret, method);
        await using var oidc = await StartOidcAsync(client);

        using var response = await PostTokenRequestAsync(oidc, OidcPeerClient.WithSecret(MailerId, "wrong-secret", method), GoogleScope);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_client", await ErrorAsync(response));
        Assert.Equal(new OidcPeer.RefusedTokenRequest(MailerId, "invalid_client"), await RefusalAsync(oidc));
        Assert.Equal(0, oidc.CountClientCredentialsIssued());
        Assert.DoesNotContain("wrong-secret", oidc.Log, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(OidcPeerClient.SecretMethod.Post, OidcPeerClient.SecretMethod.Basic)]
    [InlineData(OidcPeerClient.SecretMethod.Basic, OidcPeerClient.SecretMethod.Post)]
    public async Task TokenEndpoint_SecretSentOtherThanRegistered_IsRefused(OidcPeerClient.SecretMethod registered, OidcPeerClient.SecretMethod sent)
    {
        await using var oidc = await StartOidcAsync(OidcPeerClient.WithSecret(MailerId, MailerSecret, registered));

        using var response = await PostTokenRequestAsync(oidc, OidcPeerClient.WithSecret(MailerId, MailerSecret, sent), GoogleScope);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_client", await ErrorAsync(response));
        Assert.Equal(0, oidc.CountClientCredentialsIssued());
    }

    [Fact]
    public async Task TokenEndpoint_AssertionForAnotherAudience_IsRefused()
    {
        using var key = RSA.Create(2048);
        var client = OidcPeerClient.WithPrivateKey(MailerId, key);
        await using var oidc = await StartOidcAsync(client);

        using var response = await PostTokenRequestAsync(oidc, client, GoogleScope, ClientAssertion(MailerId, "https://login.example.test/token", key, "RS256"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_client", await ErrorAsync(response));
        Assert.Equal(new OidcPeer.RefusedTokenRequest(MailerId, "invalid_client"), await RefusalAsync(oidc));
    }

    [Fact]
    public async Task TokenEndpoint_AssertionSignedByAnotherKey_IsRefused()
    {
        using var registered = RSA.Create(2048);
        using var other = RSA.Create(2048);
        var client = OidcPeerClient.WithPrivateKey(MailerId, registered);
        await using var oidc = await StartOidcAsync(client);

        using var response = await PostTokenRequestAsync(oidc, client, GoogleScope, ClientAssertion(MailerId, oidc.TokenEndpoint, other, "RS256"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_client", await ErrorAsync(response));
    }

    [Theory]
    [InlineData("openid")]
    [InlineData("https://graph.microsoft.com/.default")]
    [InlineData("")]
    public async Task TokenEndpoint_ScopeNotOffered_IsInvalidScope(string scope)
    {
        var client = OidcPeerClient.WithSecret(MailerId, MailerSecret);
        await using var oidc = await StartOidcAsync(client);

        using var response = await PostTokenRequestAsync(oidc, client, scope);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_scope", await ErrorAsync(response));
        Assert.Equal(new OidcPeer.RefusedTokenRequest(MailerId, "invalid_scope"), await RefusalAsync(oidc));
    }

    [Fact]
    public async Task Introspection_OnlyTheResourceServer_LearnsTheTokensClientScopeAndExpiry()
    {
        var client = OidcPeerClient.WithSecret(MailerId, MailerSecret);
        await using var oidc = await StartOidcAsync(client, TimeSpan.FromSeconds(120));
        using var tokenResponse = await PostTokenRequestAsync(oidc, client, OutlookScope);
        var tokens = JsonDocument.Parse(await tokenResponse.Content.ReadAsStringAsync()).RootElement;
        var token = tokens.GetProperty("access_token").GetString()!;

        var known = await IntrospectAsync(oidc, token, OidcPeerResourceServer.Default.ClientId, OidcPeerResourceServer.Default.ClientSecret);
        var byTheMailer = await IntrospectAsync(oidc, token, MailerId, MailerSecret);
        var unknown = await IntrospectAsync(oidc, "not-a-token", OidcPeerResourceServer.Default.ClientId, OidcPeerResourceServer.Default.ClientSecret);

        Assert.Equal(120, tokens.GetProperty("expires_in").GetInt32());
        Assert.Equal(OutlookScope, tokens.GetProperty("scope").GetString());
        Assert.True(known.GetProperty("active").GetBoolean());
        Assert.Equal(MailerId, known.GetProperty("client_id").GetString());
        Assert.Equal(OutlookScope, known.GetProperty("scope").GetString());
        Assert.Equal(120, known.GetProperty("exp").GetInt64() - known.GetProperty("iat").GetInt64());
        Assert.False(byTheMailer.GetProperty("active").GetBoolean());
        Assert.False(unknown.GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task EntraShape_TokenEndpointUnderTheTenant_ServesMachineClientsWhileTheMainClientStaysBasicOnly()
    {
        var client = OidcPeerClient.WithSecret(MailerId, MailerSecret, OidcPeerClient.SecretMethod.Post);
        await using var oidc = await OidcPeer.StartAsync(
            MainSecret,
            [RedirectUri],
            shape: OidcPeerShape.Entra(Guid.Parse("0b7c1a3e-5d2f-4c8a-9e61-3f4a2b1c0d9e")),
            clientCredentialsClients: [client],
            clientCredentialsScopes: [OutlookScope],
            resourceServer: OidcPeerResourceServer.Default);
        using var http = new HttpClient();
        var discovery = JsonDocument.Parse(await http.GetStringAsync(oidc.DiscoveryDocument)).RootElement;

        using var machine = await PostTokenRequestAsync(oidc, client, OutlookScope);
        using var mainByPost = await http.PostAsync(oidc.TokenEndpoint, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = "unused",
            ["redirect_uri"] = RedirectUri,
            ["client_id"] = OidcPeer.ClientId,
            ["client_secret"] = MainSecret,
        }));

        Assert.Equal(discovery.GetProperty("token_endpoint").GetString(), oidc.TokenEndpoint);
        Assert.Equal(discovery.GetProperty("introspection_endpoint").GetString(), oidc.IntrospectionEndpoint);
        Assert.StartsWith($"{oidc.Address}/", oidc.TokenEndpoint, StringComparison.Ordinal);
        Assert.True(machine.IsSuccessStatusCode, await machine.Content.ReadAsStringAsync() + oidc.Log);
        Assert.Equal(HttpStatusCode.Unauthorized, mainByPost.StatusCode);
        Assert.Equal("invalid_client", await ErrorAsync(mainByPost));
    }

    [Fact]
    public async Task XOAuth2_TokenWithoutTheRequiredScope_GetsTheErrorChallengeThen535_5_7_3()
    {
        var client = OidcPeerClient.WithSecret(MailerId, MailerSecret);
        await using var oidc = await StartOidcAsync(client);
        await using var smtp = await SmtpPeer.StartAsync(new SmtpPeerOptions { XOAuth2 = SmtpPeerOptions.XOAuth2Check.Against(oidc, GoogleScope) });
        var token = await GetTokenAsync(oidc, client, OutlookScope);

        using (var dialogue = await SmtpDialogue.ConnectAsync(smtp.Port))
        {
            Assert.Contains("AUTH XOAUTH2", await dialogue.CommandAsync("EHLO test.local", 250), StringComparison.Ordinal);
            var challenge = await dialogue.CommandAsync($"AUTH XOAUTH2 {XOAuth2Blob(Mailbox, token)}", 334);
            var error = JsonDocument.Parse(Convert.FromBase64String(challenge[4..].Trim())).RootElement;
            Assert.Equal(("401", "bearer", GoogleScope), (error.GetProperty("status").GetString(), error.GetProperty("schemes").GetString(), error.GetProperty("scope").GetString()));
            Assert.Contains("535 5.7.3 Authentication unsuccessful", await dialogue.CommandAsync(string.Empty, 535), StringComparison.Ordinal);
            await dialogue.CommandAsync("MAIL FROM:<sender@example.test>", 530);
        }

        var attempt = await smtp.WaitForAuthAttemptAsync(Wait);
        Assert.False(attempt.Accepted);
        Assert.Equal(MailerId, attempt.ClientId);
        Assert.Contains(GoogleScope, attempt.Reason, StringComparison.Ordinal);
        await Assert.ThrowsAsync<AuthenticationException>(() => SendAsync(smtp, new SaslMechanismOAuth2(Mailbox, token), "Never sent"));
        Assert.Equal(2, smtp.AuthAttemptDetails.Count);
    }

    [Fact]
    public async Task XOAuth2_TokenNotKnownToTheProvider_IsRefused()
    {
        await using var oidc = await StartOidcAsync(OidcPeerClient.WithSecret(MailerId, MailerSecret));
        await using var smtp = await SmtpPeer.StartAsync(new SmtpPeerOptions { XOAuth2 = SmtpPeerOptions.XOAuth2Check.Against(oidc) });

        await Assert.ThrowsAsync<AuthenticationException>(() => SendAsync(smtp, new SaslMechanismOAuth2(Mailbox, "made-up-token"), "Never sent"));

        Assert.Equal(new SmtpPeer.AuthAttempt("XOAUTH2", Mailbox, false, null, "token not active"), await smtp.WaitForAuthAttemptAsync(Wait));
    }

    [Fact]
    public async Task XOAuth2_TokenUsedMoreTimesThanAllowed_IsRefusedUntilANewOneComes()
    {
        var client = OidcPeerClient.WithSecret(MailerId, MailerSecret);
        await using var oidc = await StartOidcAsync(client);
        await using var smtp = await SmtpPeer.StartAsync(new SmtpPeerOptions { XOAuth2 = SmtpPeerOptions.XOAuth2Check.Against(oidc, GoogleScope, tokenUses: 2) });
        var first = await GetTokenAsync(oidc, client, GoogleScope);

        await SendAsync(smtp, new SaslMechanismOAuth2(Mailbox, first), "One");
        await SendAsync(smtp, new SaslMechanismOAuth2(Mailbox, first), "Two");
        await Assert.ThrowsAsync<AuthenticationException>(() => SendAsync(smtp, new SaslMechanismOAuth2(Mailbox, first), "Three"));
        var second = await GetTokenAsync(oidc, client, GoogleScope);
        await SendAsync(smtp, new SaslMechanismOAuth2(Mailbox, second), "Three again");

        var subjects = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            subjects.Add((await smtp.WaitForMailAsync(Wait)).Subject ?? string.Empty);
        }

        Assert.Equal(["One", "Two", "Three again"], subjects);
        var attempts = new List<SmtpPeer.AuthAttempt>();
        for (var i = 0; i < 4; i++)
        {
            attempts.Add(await smtp.WaitForAuthAttemptAsync(Wait));
        }

        Assert.Equal([true, true, false, true], attempts.Select(a => a.Accepted));
        Assert.Equal("token used 2 times already", attempts[2].Reason);
        Assert.Equal(2, oidc.CountClientCredentialsIssued(MailerId));
    }

    [Fact]
    public async Task BasicAuthDisabled_PlainAndLogin_Get535_5_7_139()
    {
        await using var smtp = await SmtpPeer.StartAsync(new SmtpPeerOptions { User = "mailer", Password = "right", BasicAuthDisabled = true });

        using (var dialogue = await SmtpDialogue.ConnectAsync(smtp.Port))
        {
            Assert.Contains("AUTH PLAIN LOGIN", await dialogue.CommandAsync("EHLO test.local", 250), StringComparison.Ordinal);
            var plain = await dialogue.CommandAsync($"AUTH PLAIN {Convert.ToBase64String(Encoding.UTF8.GetBytes("\0mailer\0right"))}", 535);
            Assert.Contains("535 5.7.139 Authentication unsuccessful, basic authentication is disabled.", plain, StringComparison.Ordinal);
            await dialogue.CommandAsync("AUTH LOGIN", 334);
            await dialogue.CommandAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes("mailer")), 334);
            Assert.Contains("5.7.139", await dialogue.CommandAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes("right")), 535), StringComparison.Ordinal);
        }

        var attempt = await smtp.WaitForAuthAttemptAsync(Wait);
        Assert.Equal(new SmtpPeer.AuthAttempt("PLAIN", "mailer", false, null, "basic authentication is disabled"), attempt);
        Assert.Equal("LOGIN", (await smtp.WaitForAuthAttemptAsync(Wait)).Method);
    }

    [Fact]
    public async Task Smtp_RefusedSenderAndRecipient_GetMicrosoftsCodes()
    {
        await using var smtp = await SmtpPeer.StartAsync(new SmtpPeerOptions
        {
            RefusedSenders = ["Someone.Else@example.test"],
            RefusedRecipients = ["nobody@example.test"],
        });

        var sender = await Assert.ThrowsAsync<SmtpCommandException>(() => SendAsync(smtp, null, "From someone else", from: "someone.else@example.test"));
        var recipient = await Assert.ThrowsAsync<SmtpCommandException>(() => SendAsync(smtp, null, "To nobody", to: "nobody@example.test"));
        await SendAsync(smtp, null, "Fine");

        Assert.Equal((SmtpErrorCode.SenderNotAccepted, SmtpStatusCode.MailboxUnavailable), (sender.ErrorCode, sender.StatusCode));
        Assert.Equal("5.7.60 SMTP; Client does not have permissions to send as this sender", sender.Message);
        Assert.Equal((SmtpErrorCode.RecipientNotAccepted, SmtpStatusCode.MailboxUnavailable), (recipient.ErrorCode, recipient.StatusCode));
        Assert.Equal("5.1.1 User unknown", recipient.Message);
        Assert.Equal("Fine", (await smtp.WaitForMailAsync(Wait)).Subject);
        Assert.Equal([new SmtpPeer.Refusal("MAIL", 550, "someone.else@example.test"), new SmtpPeer.Refusal("RCPT", 550, "nobody@example.test")], smtp.Refusals);
    }

    [Fact]
    public async Task Smtp_FailFirst_DefersThatManyMessagesWith451ThenAccepts()
    {
        await using var smtp = await SmtpPeer.StartAsync(new SmtpPeerOptions { FailFirst = 2 });

        var first = await Assert.ThrowsAsync<SmtpCommandException>(() => SendAsync(smtp, null, "Attempt 1"));
        var second = await Assert.ThrowsAsync<SmtpCommandException>(() => SendAsync(smtp, null, "Attempt 2"));
        await SendAsync(smtp, null, "Attempt 3");

        Assert.Equal((SmtpErrorCode.MessageNotAccepted, (SmtpStatusCode)451), (first.ErrorCode, first.StatusCode));
        Assert.Equal("4.3.0 Temporary failure, try again later", first.Message);
        Assert.Equal((SmtpStatusCode)451, second.StatusCode);
        Assert.Equal("Attempt 3", (await smtp.WaitForMailAsync(Wait)).Subject);
        Assert.Equal(2, smtp.Refusals.Count(r => r.Command == "DATA" && r.Code == 451));
    }

    private static Task<OidcPeer> StartOidcAsync(OidcPeerClient client, TimeSpan? accessTokenLifetime = null) =>
        OidcPeer.StartAsync(
            MainSecret,
            [RedirectUri],
            clientCredentialsClients: [client],
            clientCredentialsScopes: [GoogleScope, OutlookScope],
            accessTokenLifetime: accessTokenLifetime,
            resourceServer: OidcPeerResourceServer.Default);

    /// <summary>A client credentials token, failing the test unless the peer issues one.</summary>
    private static async Task<string> GetTokenAsync(OidcPeer oidc, OidcPeerClient client, string scope, AsymmetricAlgorithm? key = null, string? alg = null)
    {
        var assertion = key is null || alg is null ? null : ClientAssertion(client.ClientId, oidc.TokenEndpoint, key, alg);
        using var response = await PostTokenRequestAsync(oidc, client, scope, assertion);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {body} {oidc.Log}");
        return JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!;
    }

    /// <summary>A client credentials token request authenticated as <paramref name="client"/> is registered (or with <paramref name="assertion"/>).</summary>
    private static async Task<HttpResponseMessage> PostTokenRequestAsync(OidcPeer oidc, OidcPeerClient client, string scope, string? assertion = null)
    {
        var form = new Dictionary<string, string> { ["grant_type"] = "client_credentials" };
        if (scope.Length > 0)
        {
            form["scope"] = scope;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, oidc.TokenEndpoint);
        switch (client.Method)
        {
            case OidcPeerClient.AuthMethod.SecretPost:
                form["client_id"] = client.ClientId;
                form["client_secret"] = client.ClientSecret!;
                break;
            case OidcPeerClient.AuthMethod.SecretBasic:
                request.Headers.Authorization = Basic(client.ClientId, client.ClientSecret!);
                break;
            case OidcPeerClient.AuthMethod.PrivateKeyJwt:
                form["client_id"] = client.ClientId;
                form["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
                form["client_assertion"] = assertion ?? throw new ArgumentNullException(nameof(assertion), "A private_key_jwt request needs an assertion.");
                break;
        }

        request.Content = new FormUrlEncodedContent(form);
        using var http = new HttpClient();
        return await http.SendAsync(request);
    }

    /// <summary>An RFC 7523 client assertion signed by hand: iss = sub = the client, aud, a fresh jti, five minutes to live.</summary>
    private static string ClientAssertion(string clientId, string audience, AsymmetricAlgorithm key, string alg)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = Base64UrlJson(new Dictionary<string, object> { ["alg"] = alg, ["typ"] = "JWT" });
        var payload = Base64UrlJson(new Dictionary<string, object>
        {
            ["iss"] = clientId,
            ["sub"] = clientId,
            ["aud"] = audience,
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["iat"] = now,
            ["exp"] = now + 300,
        });
        var input = Encoding.ASCII.GetBytes($"{header}.{payload}");
        var signature = (alg, key) switch
        {
            ("RS256", RSA rsa) => rsa.SignData(input, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            ("PS256", RSA rsa) => rsa.SignData(input, HashAlgorithmName.SHA256, RSASignaturePadding.Pss),
            ("ES256", ECDsa ecdsa) => ecdsa.SignData(input, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
            _ => throw new ArgumentException($"No {alg} signature with a {key.GetType().Name}."),
        };
        return $"{header}.{payload}.{System.Buffers.Text.Base64Url.EncodeToString(signature)}";
    }

    private static string PublicRsaJwk(RSA key)
    {
        var parameters = key.ExportParameters(false);
        return JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["kty"] = "RSA",
            ["n"] = System.Buffers.Text.Base64Url.EncodeToString(parameters.Modulus),
            ["e"] = System.Buffers.Text.Base64Url.EncodeToString(parameters.Exponent),
        });
    }

    private static string Base64UrlJson(Dictionary<string, object> value) =>
        System.Buffers.Text.Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(value));

    private static AuthenticationHeaderValue Basic(string id, string secret) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(id)}:{Uri.EscapeDataString(secret)}")));

    private static async Task<JsonElement> IntrospectAsync(OidcPeer oidc, string token, string id, string secret)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, oidc.IntrospectionEndpoint)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token }),
        };
        request.Headers.Authorization = Basic(id, secret);
        using var http = new HttpClient();
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {body} {oidc.Log}");
        return JsonDocument.Parse(body).RootElement;
    }

    private static async Task<string?> ErrorAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString();

    private static async Task<OidcPeer.RefusedTokenRequest> RefusalAsync(OidcPeer oidc)
    {
        var line = await oidc.WaitForEventAsync("client_credentials.refused", Wait);
        return new(line.GetProperty("clientId").GetString(), line.GetProperty("error").GetString()!);
    }

    private static string XOAuth2Blob(string user, string token) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"user={user}\u0001auth=Bearer {token}\u0001\u0001"));

    /// <summary>Sends one message with MailKit, as the app does, authenticating with <paramref name="mechanism"/> if given.</summary>
    private static async Task SendAsync(SmtpPeer smtp, SaslMechanism? mechanism, string subject, string from = "sender@example.test", string to = "to@example.test")
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = "Hello." };

        using var client = new SmtpClient();
        await client.ConnectAsync(SmtpPeer.Host, smtp.Port, SecureSocketOptions.None);
        if (mechanism is not null)
        {
            await client.AuthenticateAsync(mechanism);
        }

        await client.SendAsync(message);
        await client.DisconnectAsync(quit: true);
    }
}
