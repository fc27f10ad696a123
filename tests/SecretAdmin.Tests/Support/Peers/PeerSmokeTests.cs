using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace SecretAdmin.Tests.Support.Peers;

/// <summary>The test peers themselves: real servers on 127.0.0.1 that behave as the other tests rely on.</summary>
public sealed class PeerSmokeTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private const string RedirectUri = "http://127.0.0.1:5999/signin-oidc";
    private const string PostLogoutRedirectUri = "http://127.0.0.1:5999/signout-callback-oidc";
    private const string Secret = "peer-test-secret";

    [Fact]
    public async Task Smtp_WithoutAuth_AcceptsMailAndReportsEachMessage()
    {
        await using var smtp = await SmtpPeer.StartAsync();

        using (var client = await SmtpDialogue.ConnectAsync(smtp.Port))
        {
            var ehlo = await client.CommandAsync("EHLO test.local", 250);
            Assert.DoesNotContain("AUTH", ehlo, StringComparison.Ordinal);
            Assert.DoesNotContain("STARTTLS", ehlo, StringComparison.Ordinal);
            await client.SendMailAsync("sender@example.test", ["first@example.test", "second@example.test"], "Grüße from the peer", "Hello.");
            await client.SendMailAsync("sender@example.test", ["third@example.test"], "Second", "Again.");
            await client.CommandAsync("QUIT", 221);
        }

        var first = await smtp.WaitForMailAsync(Wait);
        Assert.Equal("sender@example.test", first.From);
        Assert.Equal(["first@example.test", "second@example.test"], first.To);
        Assert.Equal("Grüße from the peer", first.Subject);
        Assert.Null(first.AuthUser);
        Assert.Contains("\r\n\r\nHello.", first.Raw, StringComparison.Ordinal);
        Assert.Contains("Message-ID: <", first.Raw, StringComparison.Ordinal);

        var second = await smtp.WaitForMailAsync(Wait);
        Assert.Equal(["third@example.test"], second.To);
        Assert.Equal("Second", second.Subject);
    }

    [Fact]
    public async Task Smtp_WithAuth_RefusesWrongCredentialsAndUnauthenticatedMail()
    {
        await using var smtp = await SmtpPeer.StartAsync("mailer", "right:password");
        using var client = await SmtpDialogue.ConnectAsync(smtp.Port);

        var ehlo = await client.CommandAsync("EHLO test.local", 250);
        Assert.Contains("AUTH PLAIN LOGIN", ehlo, StringComparison.Ordinal);

        var wrong = await client.CommandAsync($"AUTH PLAIN {Plain("mailer", "wrong")}", 535);
        Assert.Contains("Authentication credentials invalid", wrong, StringComparison.Ordinal);
        await client.CommandAsync($"AUTH PLAIN {Plain("someone", "right:password")}", 535);

        await client.CommandAsync("MAIL FROM:<sender@example.test>", 530);
        await client.CommandAsync("QUIT", 221);
    }

    [Fact]
    public async Task Smtp_WithAuth_ReportsTheAuthenticatedUser()
    {
        await using var smtp = await SmtpPeer.StartAsync("mailer", "right:password");
        using (var client = await SmtpDialogue.ConnectAsync(smtp.Port))
        {
            await client.CommandAsync("EHLO test.local", 250);
            await client.CommandAsync("AUTH LOGIN", 334);
            await client.CommandAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes("mailer")), 334);
            await client.CommandAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes("right:password")), 235);
            await client.SendMailAsync("sender@example.test", ["to@example.test"], "Authenticated", "Hi.");
            await client.CommandAsync("QUIT", 221);
        }

        var mail = await smtp.WaitForMailAsync(Wait);
        Assert.Equal("mailer", mail.AuthUser);
        Assert.Equal("Authenticated", mail.Subject);
    }

    [Fact]
    public async Task Smtp_StartTls_IsOfferedAndRequiredBeforeAuth()
    {
        await using var smtp = await SmtpPeer.StartAsync("mailer", "pw", SmtpPeer.Security.StartTls);
        using (var client = await SmtpDialogue.ConnectAsync(smtp.Port))
        {
            Assert.Contains("STARTTLS", await client.CommandAsync("EHLO test.local", 250), StringComparison.Ordinal);
            await client.CommandAsync($"AUTH PLAIN {Plain("mailer", "pw")}", 538);
            await client.CommandAsync("STARTTLS", 220);
            await client.UpgradeToTlsAsync();
            await client.CommandAsync("EHLO test.local", 250);
            await client.CommandAsync($"AUTH PLAIN {Plain("mailer", "pw")}", 235);
            await client.SendMailAsync("sender@example.test", ["to@example.test"], "Over TLS", "Hi.");
            await client.CommandAsync("QUIT", 221);
        }

        Assert.Equal("Over TLS", (await smtp.WaitForMailAsync(Wait)).Subject);
    }

    [Fact]
    public async Task Smtp_WaitForMail_TimesOutWhenNothingArrives()
    {
        await using var smtp = await SmtpPeer.StartAsync();

        await Assert.ThrowsAsync<TimeoutException>(() => smtp.WaitForMailAsync(TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task Peer_StopsListeningWhenDisposed()
    {
        var smtp = await SmtpPeer.StartAsync();
        var port = smtp.Port;
        await smtp.DisposeAsync();

        using var tcp = new TcpClient();
        await Assert.ThrowsAsync<SocketException>(() => tcp.ConnectAsync(IPAddress.Loopback, port));
    }

    [Fact]
    public async Task Peer_ThatFailsToStart_ReportsItsError()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => NodePeer.StartAsync("oidc-provider.mjs", ["--port", "0"]));

        Assert.Contains("exited with code 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("--client-secret is required", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Oidc_Discovery_DescribesTheLoopbackIssuer()
    {
        await using var oidc = await OidcPeer.StartAsync(Secret, [RedirectUri], [PostLogoutRedirectUri]);
        using var http = new HttpClient();

        var discovery = JsonDocument.Parse(await http.GetStringAsync(oidc.DiscoveryDocument)).RootElement;

        Assert.Equal($"http://127.0.0.1:{oidc.Port}", oidc.Issuer);
        Assert.Equal(oidc.Issuer, discovery.GetProperty("issuer").GetString());
        Assert.Equal($"{oidc.Issuer}/auth", discovery.GetProperty("authorization_endpoint").GetString());
        Assert.Equal($"{oidc.Issuer}/token", discovery.GetProperty("token_endpoint").GetString());
        Assert.Equal($"{oidc.Issuer}/jwks", discovery.GetProperty("jwks_uri").GetString());
        Assert.Equal($"{oidc.Issuer}/session/end", discovery.GetProperty("end_session_endpoint").GetString());
        Assert.Contains("S256", Strings(discovery, "code_challenge_methods_supported"));
        Assert.Contains("client_secret_post", Strings(discovery, "token_endpoint_auth_methods_supported"));
        Assert.Superset(new HashSet<string> { "openid", "profile", "email", "groups" }, Strings(discovery, "scopes_supported").ToHashSet());
        Assert.Contains("groups", Strings(discovery, "claims_supported"));

        var jwks = JsonDocument.Parse(await http.GetStringAsync(discovery.GetProperty("jwks_uri").GetString())).RootElement;
        Assert.Contains(jwks.GetProperty("keys").EnumerateArray(), key => key.GetProperty("alg").GetString() == "RS256");
    }

    [Theory]
    [InlineData("admin-alice", "secretadmin-admins")]
    [InlineData("bob", "staff")]
    public async Task Oidc_CodeFlowWithPkce_IssuesTokensWithEmailAndGroups(string login, string group)
    {
        await using var oidc = await OidcPeer.StartAsync(Secret, [RedirectUri], postLogoutRedirectUris: [PostLogoutRedirectUri]);
        using var browser = OidcPeer.CreateBrowser();
        var (verifier, challenge) = Pkce();

        using var callback = await oidc.SignInAsync(browser, AuthorizationRequest(oidc, challenge, "state-1", "nonce-1"), login);

        Assert.Equal(HttpStatusCode.SeeOther, callback.StatusCode);
        var location = callback.Headers.Location!;
        Assert.StartsWith($"{RedirectUri}?", location.ToString(), StringComparison.Ordinal);
        var query = System.Web.HttpUtility.ParseQueryString(location.Query);
        Assert.Equal("state-1", query["state"]);
        Assert.Equal(oidc.Issuer, query["iss"]);

        using var http = new HttpClient();
        using var tokenResponse = await http.PostAsync($"{oidc.Issuer}/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = query["code"]!,
            ["redirect_uri"] = RedirectUri,
            ["code_verifier"] = verifier,
            ["client_id"] = OidcPeer.ClientId,
            ["client_secret"] = Secret,
        }));
        var tokenBody = await tokenResponse.Content.ReadAsStringAsync();
        Assert.True(tokenResponse.IsSuccessStatusCode, tokenBody);
        var tokens = JsonDocument.Parse(tokenBody).RootElement;
        var idToken = tokens.GetProperty("id_token").GetString()!;

        var claims = JwtPayload(idToken);
        Assert.Equal(oidc.Issuer, claims.GetProperty("iss").GetString());
        Assert.Equal(OidcPeer.ClientId, claims.GetProperty("aud").GetString());
        Assert.Equal("nonce-1", claims.GetProperty("nonce").GetString());
        Assert.Equal(login, claims.GetProperty("sub").GetString());
        Assert.Equal($"{login}@example.test", claims.GetProperty("email").GetString());
        Assert.True(claims.GetProperty("email_verified").GetBoolean());
        Assert.Equal(login, claims.GetProperty("name").GetString());
        Assert.Equal([group], Strings(claims, "groups"));

        using var userinfo = new HttpRequestMessage(HttpMethod.Get, $"{oidc.Issuer}/me");
        userinfo.Headers.Authorization = new("Bearer", tokens.GetProperty("access_token").GetString());
        using var userinfoResponse = await http.SendAsync(userinfo);
        var profile = JsonDocument.Parse(await userinfoResponse.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal([group], Strings(profile, "groups"));

        await oidc.WaitForEventAsync("grant.success", Wait);

        var endSession = new Uri($"{oidc.Issuer}/session/end?id_token_hint={Uri.EscapeDataString(idToken)}"
            + $"&post_logout_redirect_uri={Uri.EscapeDataString(PostLogoutRedirectUri)}&state=bye");
        using var signedOut = await oidc.SignOutAsync(browser, endSession);
        Assert.Equal(HttpStatusCode.SeeOther, signedOut.StatusCode);
        Assert.Equal($"{PostLogoutRedirectUri}?state=bye", signedOut.Headers.Location!.ToString());
        await oidc.WaitForEventAsync("end_session.success", Wait);
    }

    [Fact]
    public async Task Oidc_FormPostResponseModeAndClaimOverrides_Work()
    {
        var claims = new Dictionary<string, IReadOnlyDictionary<string, object?>>
        {
            ["carol"] = new Dictionary<string, object?> { ["groups"] = new[] { OidcPeer.AdminGroup }, ["email"] = "carol@corp.test" },
        };
        await using var oidc = await OidcPeer.StartAsync(Secret, [RedirectUri], accountClaims: claims);
        using var browser = OidcPeer.CreateBrowser();
        var (verifier, challenge) = Pkce();

        using var page = await oidc.SignInAsync(browser, AuthorizationRequest(oidc, challenge, "s", "n", "&response_mode=form_post"), "carol");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var form = OidcPeer.ReadFormPost(await page.Content.ReadAsStringAsync());
        Assert.Equal(RedirectUri, form.Action.ToString());
        Assert.Equal("s", form.Fields["state"]);

        // client_secret_basic is accepted too.
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{oidc.Issuer}/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "authorization_code",
                ["code"] = form.Fields["code"],
                ["redirect_uri"] = RedirectUri,
                ["code_verifier"] = verifier,
            }),
        };
        request.Headers.Authorization = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{OidcPeer.ClientId}:{Secret}")));
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);

        var idToken = JwtPayload(JsonDocument.Parse(body).RootElement.GetProperty("id_token").GetString()!);
        Assert.Equal("carol", idToken.GetProperty("sub").GetString());
        Assert.Equal("carol@corp.test", idToken.GetProperty("email").GetString());
        Assert.Equal([OidcPeer.AdminGroup], Strings(idToken, "groups"));
    }

    [Fact]
    public async Task Oidc_Token_RejectsAWrongClientSecretAndAWrongVerifier()
    {
        await using var oidc = await OidcPeer.StartAsync(Secret, [RedirectUri]);
        using var browser = OidcPeer.CreateBrowser();
        var (_, challenge) = Pkce();
        using var callback = await oidc.SignInAsync(browser, AuthorizationRequest(oidc, challenge, "s", "n"), "dave");
        var code = System.Web.HttpUtility.ParseQueryString(callback.Headers.Location!.Query)["code"]!;
        using var http = new HttpClient();

        async Task<(HttpStatusCode Status, string Error)> RedeemAsync(string secret, string verifier)
        {
            using var response = await http.PostAsync($"{oidc.Issuer}/token", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "authorization_code",
                ["code"] = code,
                ["redirect_uri"] = RedirectUri,
                ["code_verifier"] = verifier,
                ["client_id"] = OidcPeer.ClientId,
                ["client_secret"] = secret,
            }));
            var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString()!;
            return (response.StatusCode, error);
        }

        Assert.Equal((HttpStatusCode.Unauthorized, "invalid_client"), await RedeemAsync("not-the-secret", Pkce().Verifier));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_grant"), await RedeemAsync(Secret, Pkce().Verifier));
    }

    private static Uri AuthorizationRequest(OidcPeer oidc, string challenge, string state, string nonce, string extra = "") =>
        new($"{oidc.Issuer}/auth?client_id={OidcPeer.ClientId}&response_type=code"
            + $"&scope={Uri.EscapeDataString("openid profile email groups")}&redirect_uri={Uri.EscapeDataString(RedirectUri)}"
            + $"&state={state}&nonce={nonce}&code_challenge={challenge}&code_challenge_method=S256{extra}");

    private static (string Verifier, string Challenge) Pkce()
    {
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        return (verifier, Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static JsonElement JwtPayload(string jwt)
    {
        var payload = jwt.Split('.')[1].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
        return JsonDocument.Parse(Convert.FromBase64String(payload)).RootElement;
    }

    private static List<string> Strings(JsonElement element, string property) =>
        [.. element.GetProperty(property).EnumerateArray().Select(item => item.GetString()!)];

    private static string Plain(string user, string password) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{user}\0{password}"));

    /// <summary>A minimal SMTP client that speaks the protocol line by line, so tests see every reply.</summary>
    private sealed class SmtpDialogue : IDisposable
    {
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
            using var timeout = new CancellationTokenSource(Wait);
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
}
