using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace SecretAdmin.Tests.Support.Peers;

/// <summary>
/// A real OpenID Connect provider (npm oidc-provider 9, tests/peers/oidc-provider.mjs) on
/// 127.0.0.1 with one confidential client, <see cref="ClientId"/>: authorization code flow, PKCE
/// S256, client_secret_post (client_secret_basic works too), scopes openid profile email groups,
/// RP-initiated logout. Any login name signs in with any password on its development login page;
/// there is no consent page. Claims: sub = login, email = login@example.test, email_verified,
/// name = login, groups = ["secretadmin-admins"] for logins starting with "admin", else ["staff"];
/// they are in the ID token and at userinfo. An <see cref="OidcPeerShape"/> makes it look like a
/// given real provider instead (issuer path, signing alg, client authentication, PAR, end session,
/// extra audience, a lying issuer, key rotation). Machine clients (<see cref="OidcPeerClient"/>) may get
/// opaque access tokens with the client credentials grant, service accounts (<see cref="OidcPeerServiceAccount"/>)
/// may get them for their mailboxes with the JWT bearer grant, and a <see cref="OidcPeerResourceServer"/> may
/// introspect them, as a mail server does for XOAUTH2 (the SMTP peer's <c>SmtpPeerOptions.XOAuth2</c>).
/// </summary>
public sealed partial class OidcPeer : IAsyncDisposable
{
    public const string ClientId = "secretadmin";

    public const string AdminGroup = "secretadmin-admins";

    private readonly NodePeer _node;
    private readonly string? _claimsFile;

    private OidcPeer(NodePeer node, string clientSecret, string? claimsFile, OidcPeerResourceServer? resourceServer)
    {
        _node = node;
        ClientSecret = clientSecret;
        _claimsFile = claimsFile;
        ResourceServer = resourceServer;
        Issuer = node.Ready.GetProperty("issuer").GetString()!;
        Address = node.Ready.GetProperty("address").GetString()!;
        Origin = $"http://127.0.0.1:{node.Port}";
        TokenEndpoint = node.Ready.GetProperty("tokenEndpoint").GetString()!;
        IntrospectionEndpoint = node.Ready.GetProperty("introspectionEndpoint").GetString();
    }

    /// <summary>
    /// The issuer it claims: exactly http://127.0.0.1:{Port} without a trailing slash, followed by
    /// <see cref="OidcPeerShape.IssuerPath"/> if the shape has one; <see cref="OidcPeerShape.LieIssuer"/> if the shape lies.
    /// </summary>
    public string Issuer { get; }

    /// <summary>
    /// Where it really serves (the authority a relying party is given): http://127.0.0.1:{Port}
    /// followed by <see cref="OidcPeerShape.IssuerPath"/>, if any. The same as <see cref="Issuer"/> unless the shape lies.
    /// </summary>
    public string Address { get; }

    /// <summary>http://127.0.0.1:{Port}: scheme, host and port of <see cref="Address"/>.</summary>
    public string Origin { get; }

    public int Port => _node.Port;

    public string ClientSecret { get; }

    public string DiscoveryDocument => $"{Address}/.well-known/openid-configuration";

    /// <summary>The token endpoint, as discovery's token_endpoint gives it (under the issuer path, if any).</summary>
    public string TokenEndpoint { get; }

    /// <summary>Discovery's introspection_endpoint; null unless the peer was started with a resource server.</summary>
    public string? IntrospectionEndpoint { get; }

    /// <summary>The client that may introspect tokens, if the peer was started with one.</summary>
    public OidcPeerResourceServer? ResourceServer { get; }

    /// <summary>The peer's diagnostics so far (oidc-provider's warnings and errors), for assertion messages.</summary>
    public string Log => _node.StandardError;

    /// <param name="clientSecret">The client's secret.</param>
    /// <param name="redirectUris">Its registered redirect URIs, compared exactly.</param>
    /// <param name="postLogoutRedirectUris">Its registered post-logout redirect URIs.</param>
    /// <param name="accountClaims">
    /// Claims laid over the defaults, per login name, e.g. { "carol": { "groups": ["secretadmin-admins"] } }.
    /// Values reach the ID token and userinfo as given (nested objects too); a null value removes that
    /// claim, e.g. { "dave": { "email": null } }. Claims no scope releases (hd, realm_access, …) come with openid.
    /// </param>
    /// <param name="shape">How the provider is configured; <see cref="OidcPeerShape.Default"/> when null.</param>
    /// <param name="clientCredentialsClients">Machine clients that may get tokens with the client credentials grant.</param>
    /// <param name="clientCredentialsScopes">
    /// The scopes they may ask for (e.g. https://outlook.office365.com/.default); any other scope, or none
    /// when this list is not empty, is answered invalid_scope.
    /// </param>
    /// <param name="accessTokenLifetime">How long their tokens live, in whole seconds; oidc-provider's 10 minutes when null.</param>
    /// <param name="resourceServer">A client that may introspect tokens (<see cref="IntrospectionEndpoint"/>); no introspection when null.</param>
    /// <param name="serviceAccounts">
    /// Service accounts that may get tokens for their mailboxes with the JWT bearer grant (Google Workspace);
    /// they may ask for <paramref name="clientCredentialsScopes"/> only, and their tokens live <paramref name="accessTokenLifetime"/> (an hour when null).
    /// </param>
    public static async Task<OidcPeer> StartAsync(
        string clientSecret,
        IEnumerable<string> redirectUris,
        IEnumerable<string>? postLogoutRedirectUris = null,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, object?>>? accountClaims = null,
        OidcPeerShape? shape = null,
        IReadOnlyList<OidcPeerClient>? clientCredentialsClients = null,
        IReadOnlyList<string>? clientCredentialsScopes = null,
        TimeSpan? accessTokenLifetime = null,
        OidcPeerResourceServer? resourceServer = null,
        IReadOnlyList<OidcPeerServiceAccount>? serviceAccounts = null)
    {
        List<string> arguments = ["--port", "0", "--client-id", ClientId, "--client-secret", clientSecret];
        arguments.AddRange((shape ?? OidcPeerShape.Default).Arguments());
        foreach (var client in clientCredentialsClients ?? [])
        {
            arguments.AddRange(["--cc-client", client.ToArgument()]);
        }

        foreach (var account in serviceAccounts ?? [])
        {
            arguments.AddRange(["--service-account", account.ToArgument()]);
        }

        foreach (var scope in clientCredentialsScopes ?? [])
        {
            arguments.AddRange(["--cc-scope", scope]);
        }

        if (accessTokenLifetime is { } lifetime)
        {
            if (lifetime.TotalSeconds < 1 || lifetime.Ticks % TimeSpan.TicksPerSecond != 0)
            {
                throw new ArgumentOutOfRangeException(nameof(accessTokenLifetime), lifetime, "The peer takes a whole number of seconds, at least one.");
            }

            arguments.AddRange(["--access-token-ttl", ((long)lifetime.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }

        if (resourceServer is not null)
        {
            if (resourceServer.ClientId.Contains(':', StringComparison.Ordinal))
            {
                throw new ArgumentException("The resource server's client id cannot contain ':'.", nameof(resourceServer));
            }

            arguments.AddRange(["--resource-server", $"{resourceServer.ClientId}:{resourceServer.ClientSecret}"]);
        }

        foreach (var uri in redirectUris)
        {
            arguments.AddRange(["--redirect-uri", uri]);
        }

        foreach (var uri in postLogoutRedirectUris ?? [])
        {
            arguments.AddRange(["--post-logout-redirect-uri", uri]);
        }

        string? claimsFile = null;
        if (accountClaims is not null)
        {
            claimsFile = Path.Combine(Path.GetTempPath(), $"secretadmin-oidc-claims-{Guid.NewGuid():N}.json");
            await File.WriteAllTextAsync(claimsFile, JsonSerializer.Serialize(accountClaims));
            arguments.AddRange(["--claims-file", claimsFile]);
        }

        try
        {
            return new OidcPeer(await NodePeer.StartAsync("oidc-provider.mjs", arguments), clientSecret, claimsFile, resourceServer);
        }
        catch
        {
            DeleteFile(claimsFile);
            throw;
        }
    }

    /// <summary>A browser for the provider's pages: its own cookies, redirects not followed.</summary>
    public static HttpClient CreateBrowser() =>
        new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() });

    /// <summary>
    /// Plays the user at the provider: opens <paramref name="authorizationRequest"/> (the URL a
    /// relying party redirected to), signs in as <paramref name="login"/> on the development login
    /// page if asked, and returns the provider's last response, which hands the result to the
    /// client: a redirect to its redirect URI (response_mode query, the code flow's default) or a
    /// page with an auto-submitting form (response_mode form_post, see <see cref="ReadFormPost"/>).
    /// The browser must not follow redirects by itself.
    /// </summary>
    public async Task<HttpResponseMessage> SignInAsync(HttpClient browser, Uri authorizationRequest, string login)
    {
        var response = await browser.GetAsync(authorizationRequest);
        for (var step = 0; step < 10; step++)
        {
            if (IsRedirect(response) && IsOurs(Location(response)))
            {
                var next = Location(response);
                response.Dispose();
                response = await browser.GetAsync(next);
                continue;
            }

            if (response.StatusCode == HttpStatusCode.OK)
            {
                var html = await response.Content.ReadAsStringAsync();
                var action = FormAction().Match(html);
                if (action.Success && html.Contains("name=\"prompt\" value=\"login\"", StringComparison.Ordinal))
                {
                    response.Dispose();
                    response = await browser.PostAsync(
                        new Uri(new Uri(Origin), WebUtility.HtmlDecode(action.Groups["action"].Value)),
                        new FormUrlEncodedContent(new Dictionary<string, string>
                        {
                            ["prompt"] = "login",
                            ["login"] = login,
                            ["password"] = "any password",
                        }));
                    continue;
                }
            }

            return response;
        }

        throw new InvalidOperationException($"The OIDC peer kept redirecting to itself. Last: {(int)response.StatusCode} {response.Headers.Location}. {Log}");
    }

    /// <summary>
    /// Plays the user at the end-session endpoint: opens <paramref name="endSessionRequest"/>,
    /// confirms the sign-out, and returns the provider's last response (a redirect to the
    /// post_logout_redirect_uri when one was given and registered).
    /// </summary>
    public async Task<HttpResponseMessage> SignOutAsync(HttpClient browser, Uri endSessionRequest)
    {
        var response = await browser.GetAsync(endSessionRequest);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return response;
        }

        var form = ReadFormPost(await response.Content.ReadAsStringAsync());
        if (!form.Fields.ContainsKey("xsrf"))
        {
            return response;
        }

        response.Dispose();
        return await browser.PostAsync(form.Action, new FormUrlEncodedContent(form.Fields));
    }

    /// <summary>The target and fields of the first form of a page, e.g. a form_post response or the sign-out confirmation.</summary>
    public static (Uri Action, IReadOnlyDictionary<string, string> Fields) ReadFormPost(string html)
    {
        var action = FormAction().Match(html);
        if (!action.Success)
        {
            throw new InvalidOperationException($"The page has no form: {html}");
        }

        var fields = new Dictionary<string, string>();
        foreach (Match input in HiddenInput().Matches(html))
        {
            fields[WebUtility.HtmlDecode(input.Groups["name"].Value)] = WebUtility.HtmlDecode(input.Groups["value"].Value);
        }

        return (new Uri(WebUtility.HtmlDecode(action.Groups["action"].Value)), fields);
    }

    /// <summary>The paths of every request the provider has received so far ("POST /token", "GET /auth", …; under the issuer path if there is one).</summary>
    public IReadOnlyList<string> Requests =>
        [.. _node.Lines
            .Where(l => l.TryGetProperty("event", out var e) && e.GetString() == "request")
            .Select(l => $"{l.GetProperty("method").GetString()} {l.GetProperty("path").GetString()}")];

    /// <summary>The next event line (e.g. "grant.success", "end_session.success", "signing_key.rotated") that no earlier call returned.</summary>
    public Task<JsonElement> WaitForEventAsync(string name, TimeSpan timeout) =>
        _node.WaitForLineAsync(
            line => line.TryGetProperty("event", out var value) && value.GetString() == name,
            timeout,
            $"the event {name}");

    /// <summary>Every client credentials token the peer has issued so far, in order.</summary>
    public IReadOnlyList<IssuedToken> ClientCredentialsIssued =>
        [.. Events("client_credentials.issued").Select(line => new IssuedToken(
            line.GetProperty("clientId").GetString()!,
            line.GetProperty("authMethod").GetString()!,
            line.GetProperty("scope").ValueKind == JsonValueKind.String ? line.GetProperty("scope").GetString() : null))];

    /// <summary>Every client credentials token request the peer has refused so far, in order.</summary>
    public IReadOnlyList<RefusedTokenRequest> ClientCredentialsRefused =>
        [.. Events("client_credentials.refused").Select(line => new RefusedTokenRequest(
            line.GetProperty("clientId").ValueKind == JsonValueKind.String ? line.GetProperty("clientId").GetString() : null,
            line.GetProperty("error").GetString()!))];

    /// <summary>How many client credentials tokens the peer has issued so far, to <paramref name="clientId"/> or to anyone.</summary>
    public int CountClientCredentialsIssued(string? clientId = null) =>
        ClientCredentialsIssued.Count(token => clientId is null || token.ClientId == clientId);

    /// <summary>Every JWT bearer token the peer has issued so far, in order.</summary>
    public IReadOnlyList<DelegatedToken> JwtBearerIssued =>
        [.. Events("jwt_bearer.issued").Select(line => new DelegatedToken(
            line.GetProperty("clientId").GetString()!,
            line.GetProperty("subject").GetString()!,
            line.GetProperty("scope").ValueKind == JsonValueKind.String ? line.GetProperty("scope").GetString() : null))];

    /// <summary>Every JWT bearer token request the peer has refused so far, in order (the client is the assertion's iss, if it could be read).</summary>
    public IReadOnlyList<RefusedTokenRequest> JwtBearerRefused =>
        [.. Events("jwt_bearer.refused").Select(line => new RefusedTokenRequest(
            line.GetProperty("clientId").ValueKind == JsonValueKind.String ? line.GetProperty("clientId").GetString() : null,
            line.GetProperty("error").GetString()!))];

    /// <summary>How many JWT bearer tokens the peer has issued so far, to <paramref name="clientId"/> or to anyone.</summary>
    public int CountJwtBearerIssued(string? clientId = null) =>
        JwtBearerIssued.Count(token => clientId is null || token.ClientId == clientId);

    public async ValueTask DisposeAsync()
    {
        await _node.DisposeAsync();
        DeleteFile(_claimsFile);
    }

    private IEnumerable<JsonElement> Events(string name) =>
        _node.Lines.Where(line => line.TryGetProperty("event", out var value) && value.GetString() == name);

    private static void DeleteFile(string? path)
    {
        if (path is not null && File.Exists(path))
        {
            File.Delete(path);
        }
    }

    private static bool IsRedirect(HttpResponseMessage response) =>
        (int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is not null;

    private Uri Location(HttpResponseMessage response) =>
        response.Headers.Location!.IsAbsoluteUri ? response.Headers.Location : new Uri(new Uri(Origin), response.Headers.Location);

    private bool IsOurs(Uri uri) =>
        uri.GetLeftPart(UriPartial.Authority).Equals(Origin, StringComparison.OrdinalIgnoreCase);

    /// <summary>A client credentials token the peer issued: to whom, how the client authenticated (token_endpoint_auth_method), with what scope.</summary>
    public sealed record IssuedToken(string ClientId, string AuthMethod, string? Scope);

    /// <summary>A JWT bearer token the peer issued: to which service account, for which mailbox (sub), with what scope.</summary>
    public sealed record DelegatedToken(string ClientId, string Subject, string? Scope);

    /// <summary>A client credentials token request the peer refused: the client it named (if any) and the OAuth error (invalid_client, invalid_scope, …).</summary>
    public sealed record RefusedTokenRequest(string? ClientId, string Error);

    [GeneratedRegex("<form[^>]*\\saction=\"(?<action>[^\"]+)\"")]
    private static partial Regex FormAction();

    [GeneratedRegex("<input type=\"hidden\" name=\"(?<name>[^\"]+)\" value=\"(?<value>[^\"]*)\"")]
    private static partial Regex HiddenInput();
}
