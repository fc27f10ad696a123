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
    private const string EntraTenant = "0b7c1a3e-5d2f-4c8a-9e61-3f4a2b1c0d9e";

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

    [Theory]
    [InlineData("Keycloak", "/realms/corp", "client_secret_post", false, true, "ES256")]
    [InlineData("Entra", "/" + EntraTenant + "/v2.0", "client_secret_basic", true, true, "RS256")]
    [InlineData("Zitadel", "", "client_secret_basic client_secret_post", true, true, "RS256")]
    [InlineData("Google", "", "client_secret_basic client_secret_post", false, false, "RS256")]
    public async Task Oidc_PresetDiscovery_DescribesTheProviderItImitates(
        string preset, string issuerPath, string authMethods, bool par, bool endSession, string alg)
    {
        await using var oidc = await OidcPeer.StartAsync(Secret, [RedirectUri], [PostLogoutRedirectUri], shape: Preset(preset));
        using var http = new HttpClient();
        var issuer = $"http://127.0.0.1:{oidc.Port}{issuerPath}";

        var discovery = JsonDocument.Parse(await http.GetStringAsync($"{issuer}/.well-known/openid-configuration")).RootElement;

        Assert.Equal((issuer, issuer), (oidc.Issuer, oidc.Address));
        Assert.Equal(issuer, discovery.GetProperty("issuer").GetString());
        Assert.Equal($"{issuer}/auth", discovery.GetProperty("authorization_endpoint").GetString());
        Assert.Equal($"{issuer}/token", discovery.GetProperty("token_endpoint").GetString());
        Assert.Equal($"{issuer}/jwks", discovery.GetProperty("jwks_uri").GetString());
        Assert.Equal($"{issuer}/me", discovery.GetProperty("userinfo_endpoint").GetString());
        Assert.Equal(authMethods.Split(' '), Strings(discovery, "token_endpoint_auth_methods_supported"));
        Assert.Equal([alg], Strings(discovery, "id_token_signing_alg_values_supported"));
        Assert.Equal(par, discovery.TryGetProperty("pushed_authorization_request_endpoint", out var parEndpoint));
        Assert.Equal(endSession, discovery.TryGetProperty("end_session_endpoint", out var endSessionEndpoint));
        if (par)
        {
            Assert.Equal($"{issuer}/request", parEndpoint.GetString());
        }

        if (endSession)
        {
            Assert.Equal($"{issuer}/session/end", endSessionEndpoint.GetString());
        }

        var jwks = JsonDocument.Parse(await http.GetStringAsync($"{issuer}/jwks")).RootElement;
        var key = Assert.Single(jwks.GetProperty("keys").EnumerateArray());
        Assert.Equal((alg, alg == "ES256" ? "EC" : "RSA"), (key.GetProperty("alg").GetString(), key.GetProperty("kty").GetString()));

        if (issuerPath.Length > 0)
        {
            // Nothing is served outside the issuer's path, as at a real multi-tenant provider.
            using var root = await http.GetAsync($"{oidc.Origin}/.well-known/openid-configuration");
            Assert.Equal(HttpStatusCode.NotFound, root.StatusCode);
        }
    }

    [Theory]
    [InlineData("Keycloak", OidcPeerShape.ClientAuth.Basic, OidcPeerShape.ClientAuth.Post)]
    [InlineData("Entra", OidcPeerShape.ClientAuth.Post, OidcPeerShape.ClientAuth.Basic)]
    public async Task Oidc_TokenEndpoint_RefusesTheClientAuthMethodTheShapeDoesNotAccept(
        string preset, OidcPeerShape.ClientAuth refused, OidcPeerShape.ClientAuth accepted)
    {
        await using var oidc = await OidcPeer.StartAsync(Secret, [RedirectUri], shape: Preset(preset));
        var (code, verifier) = await SignInForCodeAsync(oidc, "erin");

        using (var wrong = await RedeemAsync(oidc, code, verifier, refused))
        {
            var body = await wrong.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            Assert.Equal("invalid_client", JsonDocument.Parse(body).RootElement.GetProperty("error").GetString());
        }

        var refusal = await oidc.WaitForEventAsync("grant.error", Wait);
        Assert.Equal("invalid_client", refusal.GetProperty("error").GetString());

        // The refused request never reached the code: the accepted method still redeems it.
        using var right = await RedeemAsync(oidc, code, verifier, accepted);
        var tokens = await right.Content.ReadAsStringAsync();
        Assert.True(right.IsSuccessStatusCode, tokens + oidc.Log);
        var idToken = JwtPayload(JsonDocument.Parse(tokens).RootElement.GetProperty("id_token").GetString()!);
        Assert.Equal(oidc.Issuer, idToken.GetProperty("iss").GetString());
        Assert.Contains($"POST {new Uri(oidc.Address).AbsolutePath}/token", oidc.Requests);
    }

    [Theory]
    [InlineData("RS256")]
    [InlineData("PS256")]
    [InlineData("ES256")]
    public async Task Oidc_SigningAlg_SignsIdTokensWithThatAlgAndAKeyInTheJwks(string alg)
    {
        await using var oidc = await OidcPeer.StartAsync(Secret, [RedirectUri], shape: new() { SigningAlg = alg });

        var idToken = await SignInForIdTokenAsync(oidc, "frank");

        var header = JwtPart(idToken, 0);
        Assert.Equal(alg, header.GetProperty("alg").GetString());
        var key = await JwksKeyAsync(oidc, header.GetProperty("kid").GetString()!);
        Assert.Equal(alg, key.GetProperty("alg").GetString());
        Assert.True(SignatureVerifies(idToken, key), "The ID token's signature does not verify with the key its kid names.");
    }

    [Fact]
    public async Task Oidc_KeycloakShape_IdTokenCarriesTheRealmIssuerES256AndNestedRoles()
    {
        var claims = new Dictionary<string, IReadOnlyDictionary<string, object?>>
        {
            ["kc-user"] = new Dictionary<string, object?>
            {
                ["preferred_username"] = "kc-user",
                ["realm_access"] = new { roles = new[] { "secretadmin-admins", "offline_access" } },
                ["resource_access"] = new Dictionary<string, object> { ["secretadmin"] = new { roles = new[] { "admin" } } },
            },
        };
        await using var oidc = await OidcPeer.StartAsync(Secret, [RedirectUri], accountClaims: claims, shape: OidcPeerShape.Keycloak("corp"));

        var tokens = await SignInAndRedeemAsync(oidc, "kc-user", OidcPeerShape.ClientAuth.Post);

        var idToken = tokens.GetProperty("id_token").GetString()!;
        Assert.Equal("ES256", JwtPart(idToken, 0).GetProperty("alg").GetString());
        var payload = JwtPayload(idToken);
        Assert.Equal($"http://127.0.0.1:{oidc.Port}/realms/corp", payload.GetProperty("iss").GetString());
        Assert.Equal(OidcPeer.ClientId, payload.GetProperty("aud").GetString());
        Assert.Equal("kc-user", payload.GetProperty("preferred_username").GetString());
        Assert.Equal(["secretadmin-admins", "offline_access"], Strings(payload.GetProperty("realm_access"), "roles"));
        Assert.Equal(["admin"], Strings(payload.GetProperty("resource_access").GetProperty("secretadmin"), "roles"));

        var userinfo = await UserinfoAsync(oidc, tokens);
        Assert.Equal(["secretadmin-admins", "offline_access"], Strings(userinfo.GetProperty("realm_access"), "roles"));
        Assert.Equal(["admin"], Strings(userinfo.GetProperty("resource_access").GetProperty("secretadmin"), "roles"));
    }

    [Fact]
    public async Task Oidc_ZitadelShape_IdTokenHasBothAudiencesAzpAndObjectRoles()
    {
        const string rolesClaim = "urn:zitadel:iam:org:project:roles";
        var claims = new Dictionary<string, IReadOnlyDictionary<string, object?>>
        {
            ["zed"] = new Dictionary<string, object?>
            {
                [rolesClaim] = new Dictionary<string, object> { ["admin"] = new Dictionary<string, string> { ["284203948520394857"] = "corp.zitadel.test" } },
            },
        };
        await using var oidc = await OidcPeer.StartAsync(Secret, [RedirectUri], [PostLogoutRedirectUri], claims, OidcPeerShape.Zitadel());

        var tokens = await SignInAndRedeemAsync(oidc, "zed", OidcPeerShape.ClientAuth.Basic);

        var idToken = tokens.GetProperty("id_token").GetString()!;
        var payload = JwtPayload(idToken);
        Assert.Equal([OidcPeer.ClientId, OidcPeerShape.ZitadelProjectId], Strings(payload, "aud"));
        Assert.Equal(OidcPeer.ClientId, payload.GetProperty("azp").GetString());
        Assert.Equal(oidc.Issuer, payload.GetProperty("iss").GetString());
        Assert.Equal("corp.zitadel.test", payload.GetProperty(rolesClaim).GetProperty("admin").GetProperty("284203948520394857").GetString());
        Assert.True(SignatureVerifies(idToken, await JwksKeyAsync(oidc, JwtPart(idToken, 0).GetProperty("kid").GetString()!)),
            "The ID token with two audiences does not verify with the peer's published key.");

        var userinfo = await UserinfoAsync(oidc, tokens);
        Assert.Equal("corp.zitadel.test", userinfo.GetProperty(rolesClaim).GetProperty("admin").GetProperty("284203948520394857").GetString());

        // The provider itself takes the token back as an id_token_hint.
        using var browser = OidcPeer.CreateBrowser();
        using var signedOut = await oidc.SignOutAsync(browser, new Uri($"{oidc.Address}/session/end?id_token_hint={Uri.EscapeDataString(idToken)}"
            + $"&post_logout_redirect_uri={Uri.EscapeDataString(PostLogoutRedirectUri)}"));
        Assert.Equal(HttpStatusCode.SeeOther, signedOut.StatusCode);
        Assert.Equal(PostLogoutRedirectUri, signedOut.Headers.Location!.ToString());
    }

    [Fact]
    public async Task Oidc_GoogleShape_ClaimsFileRemovesEmailAndAddsHostedDomain()
    {
        var claims = new Dictionary<string, IReadOnlyDictionary<string, object?>>
        {
            ["gina"] = new Dictionary<string, object?>
            {
                ["email"] = null,
                ["email_verified"] = null,
                ["groups"] = null,
                ["name"] = "Gina  de la Cruz",
                ["hd"] = "corp.example.test",
            },
        };
        await using var oidc = await OidcPeer.StartAsync(Secret, [RedirectUri], accountClaims: claims, shape: OidcPeerShape.Google());

        var tokens = await SignInAndRedeemAsync(oidc, "gina", OidcPeerShape.ClientAuth.Post);

        var payload = JwtPayload(tokens.GetProperty("id_token").GetString()!);
        var userinfo = await UserinfoAsync(oidc, tokens);
        foreach (var claimSet in new[] { payload, userinfo })
        {
            Assert.Equal("gina", claimSet.GetProperty("sub").GetString());
            Assert.Equal("corp.example.test", claimSet.GetProperty("hd").GetString());
            Assert.Equal("Gina  de la Cruz", claimSet.GetProperty("name").GetString());
            Assert.False(claimSet.TryGetProperty("email", out _), claimSet.ToString());
            Assert.False(claimSet.TryGetProperty("email_verified", out _), claimSet.ToString());
            Assert.False(claimSet.TryGetProperty("groups", out _), claimSet.ToString());
        }
    }

    [Fact]
    public async Task Oidc_LieIssuer_ClaimsAnotherIssuerWhileItsEndpointsWork()
    {
        const string lie = "https://idp.example.test/realms/corp";
        await using var oidc = await OidcPeer.StartAsync(Secret, [RedirectUri], shape: new() { LieIssuer = lie });
        using var http = new HttpClient();

        var discovery = JsonDocument.Parse(await http.GetStringAsync(oidc.DiscoveryDocument)).RootElement;

        Assert.Equal((lie, oidc.Origin), (oidc.Issuer, oidc.Address));
        Assert.Equal(lie, discovery.GetProperty("issuer").GetString());
        Assert.Equal($"{oidc.Origin}/auth", discovery.GetProperty("authorization_endpoint").GetString());
        Assert.Equal($"{oidc.Origin}/token", discovery.GetProperty("token_endpoint").GetString());
        Assert.Equal($"{oidc.Origin}/jwks", discovery.GetProperty("jwks_uri").GetString());

        using var browser = OidcPeer.CreateBrowser();
        var (verifier, challenge) = Pkce();
        using var callback = await oidc.SignInAsync(browser, AuthorizationRequest(oidc, challenge, "s", "n"), "mallory-victim");
        Assert.Equal(HttpStatusCode.SeeOther, callback.StatusCode);
        var query = System.Web.HttpUtility.ParseQueryString(callback.Headers.Location!.Query);
        Assert.Equal(lie, query["iss"]);

        using var response = await RedeemAsync(oidc, query["code"]!, verifier, OidcPeerShape.ClientAuth.Post);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body + oidc.Log);
        var idToken = JsonDocument.Parse(body).RootElement.GetProperty("id_token").GetString()!;
        Assert.Equal(lie, JwtPayload(idToken).GetProperty("iss").GetString());
        Assert.True(SignatureVerifies(idToken, await JwksKeyAsync(oidc, JwtPart(idToken, 0).GetProperty("kid").GetString()!)));
    }

    [Fact]
    public async Task Oidc_KidRotateAfter_SignsWithANewKeyThatTheJwksThenListsFirst()
    {
        await using var oidc = await OidcPeer.StartAsync(Secret, [RedirectUri], shape: new() { KidRotateAfter = 2 });
        using var http = new HttpClient();
        async Task<List<string>> PublishedKidsAsync() => Kids(JsonDocument.Parse(await http.GetStringAsync($"{oidc.Address}/jwks")).RootElement);

        var first = await SignInForIdTokenAsync(oidc, "henry");
        var afterFirst = await PublishedKidsAsync();
        var second = await SignInForIdTokenAsync(oidc, "henry");
        var rotated = await oidc.WaitForEventAsync("signing_key.rotated", Wait);
        var afterSecond = await PublishedKidsAsync();
        var third = await SignInForIdTokenAsync(oidc, "henry");

        var oldKid = JwtPart(first, 0).GetProperty("kid").GetString()!;
        var newKid = JwtPart(third, 0).GetProperty("kid").GetString()!;
        Assert.Equal(oldKid, JwtPart(second, 0).GetProperty("kid").GetString());
        Assert.NotEqual(oldKid, newKid);
        Assert.Equal([oldKid], afterFirst);
        Assert.Equal((newKid, oldKid), (rotated.GetProperty("kid").GetString(), rotated.GetProperty("previousKid").GetString()));
        Assert.Equal([newKid, oldKid], afterSecond);
        Assert.True(SignatureVerifies(third, await JwksKeyAsync(oidc, newKid)), "The ID token after the rotation does not verify with the new key.");
    }

    [Fact]
    public async Task Oidc_KidRotateAfter_UserinfoStillAnswersTheSignInThatTriggeredTheRotation()
    {
        await using var oidc = await OidcPeer.StartAsync(Secret, [RedirectUri], shape: new() { KidRotateAfter = 1 });

        var tokens = await SignInAndRedeemAsync(oidc, "rita", OidcPeerShape.ClientAuth.Post);
        await oidc.WaitForEventAsync("signing_key.rotated", Wait);
        var profile = await UserinfoAsync(oidc, tokens);

        Assert.Equal("rita", profile.GetProperty("sub").GetString());
        Assert.Equal("rita@example.test", profile.GetProperty("email").GetString());
    }

    private static Uri AuthorizationRequest(OidcPeer oidc, string challenge, string state, string nonce, string extra = "") =>
        new($"{oidc.Address}/auth?client_id={OidcPeer.ClientId}&response_type=code"
            + $"&scope={Uri.EscapeDataString("openid profile email groups")}&redirect_uri={Uri.EscapeDataString(RedirectUri)}"
            + $"&state={state}&nonce={nonce}&code_challenge={challenge}&code_challenge_method=S256{extra}");

    private static OidcPeerShape Preset(string name) => name switch
    {
        "Keycloak" => OidcPeerShape.Keycloak("corp"),
        "Entra" => OidcPeerShape.Entra(Guid.Parse(EntraTenant)),
        "Zitadel" => OidcPeerShape.Zitadel(),
        "Google" => OidcPeerShape.Google(),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "No such preset."),
    };

    /// <summary>Signs in at the peer and returns the authorization code with its PKCE verifier.</summary>
    private static async Task<(string Code, string Verifier)> SignInForCodeAsync(OidcPeer oidc, string login)
    {
        using var browser = OidcPeer.CreateBrowser();
        var (verifier, challenge) = Pkce();
        using var callback = await oidc.SignInAsync(browser, AuthorizationRequest(oidc, challenge, "s", "n"), login);
        Assert.True(callback.StatusCode == HttpStatusCode.SeeOther, $"{(int)callback.StatusCode} {await callback.Content.ReadAsStringAsync()} {oidc.Log}");
        return (System.Web.HttpUtility.ParseQueryString(callback.Headers.Location!.Query)["code"]!, verifier);
    }

    /// <summary>A token request for <paramref name="code"/>, the client secret sent in the body (post) or an Authorization header (basic).</summary>
    private static async Task<HttpResponseMessage> RedeemAsync(OidcPeer oidc, string code, string verifier, OidcPeerShape.ClientAuth method)
    {
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = RedirectUri,
            ["code_verifier"] = verifier,
        };
        if (method == OidcPeerShape.ClientAuth.Post)
        {
            form["client_id"] = OidcPeer.ClientId;
            form["client_secret"] = Secret;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, $"{oidc.Address}/token") { Content = new FormUrlEncodedContent(form) };
        if (method == OidcPeerShape.ClientAuth.Basic)
        {
            request.Headers.Authorization = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{OidcPeer.ClientId}:{Secret}")));
        }

        using var http = new HttpClient();
        return await http.SendAsync(request);
    }

    private static async Task<JsonElement> SignInAndRedeemAsync(OidcPeer oidc, string login, OidcPeerShape.ClientAuth method)
    {
        var (code, verifier) = await SignInForCodeAsync(oidc, login);
        using var response = await RedeemAsync(oidc, code, verifier, method);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body + oidc.Log);
        return JsonDocument.Parse(body).RootElement;
    }

    private static async Task<string> SignInForIdTokenAsync(OidcPeer oidc, string login) =>
        (await SignInAndRedeemAsync(oidc, login, OidcPeerShape.ClientAuth.Post)).GetProperty("id_token").GetString()!;

    private static async Task<JsonElement> UserinfoAsync(OidcPeer oidc, JsonElement tokens)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{oidc.Address}/me");
        request.Headers.Authorization = new("Bearer", tokens.GetProperty("access_token").GetString());
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {response.Headers.WwwAuthenticate} {body} {oidc.Log}");
        return JsonDocument.Parse(body).RootElement;
    }

    private static async Task<JsonElement> JwksKeyAsync(OidcPeer oidc, string kid)
    {
        using var http = new HttpClient();
        var jwks = JsonDocument.Parse(await http.GetStringAsync($"{oidc.Address}/jwks")).RootElement;
        return Assert.Single(jwks.GetProperty("keys").EnumerateArray(), key => key.GetProperty("kid").GetString() == kid);
    }

    private static List<string> Kids(JsonElement jwks) =>
        [.. jwks.GetProperty("keys").EnumerateArray().Select(key => key.GetProperty("kid").GetString()!)];

    /// <summary>Whether the JWS signature of <paramref name="jwt"/> verifies with the public JWK <paramref name="key"/> (RS256, PS256 or ES256).</summary>
    private static bool SignatureVerifies(string jwt, JsonElement key)
    {
        var parts = jwt.Split('.');
        var signed = Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}");
        var signature = System.Buffers.Text.Base64Url.DecodeFromChars(parts[2]);
        byte[] Member(string name) => System.Buffers.Text.Base64Url.DecodeFromChars(key.GetProperty(name).GetString()!);

        switch (JwtPart(jwt, 0).GetProperty("alg").GetString())
        {
            case "ES256":
                using (var ecdsa = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = Member("x"), Y = Member("y") } }))
                {
                    return ecdsa.VerifyData(signed, signature, HashAlgorithmName.SHA256);
                }

            case var rsaAlg and ("RS256" or "PS256"):
                using (var rsa = RSA.Create(new RSAParameters { Modulus = Member("n"), Exponent = Member("e") }))
                {
                    var padding = rsaAlg == "PS256" ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
                    return rsa.VerifyData(signed, signature, HashAlgorithmName.SHA256, padding);
                }

            case var other:
                throw new InvalidOperationException($"Unexpected JWS alg {other}.");
        }
    }

    private static JsonElement JwtPart(string jwt, int index) =>
        JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(jwt.Split('.')[index])).RootElement;

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
}
