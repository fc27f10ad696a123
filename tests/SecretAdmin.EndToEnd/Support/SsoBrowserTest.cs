using SecretAdmin.Tests.Support.Peers;
using static Microsoft.Playwright.Assertions;

namespace SecretAdmin.EndToEnd.Support;

/// <summary>
/// A browser test of single sign-on: it starts real OpenID Connect providers (of any
/// <see cref="OidcPeerShape"/>) that know this app and <see cref="ClientSecret"/>, configures single
/// sign-on with the command line as an operator would, and steps through the sign-in page, the
/// provider's login page and back. Every value given to <see cref="AddSecret"/> (the client secret
/// to begin with) must never reach a page or the app's log. Each provider's log is saved as
/// {name}.log next to the screenshots.
/// </summary>
public abstract class SsoBrowserTest<TTestClass>(ChromiumFixture chromium, SecretAdminServer app)
    : BrowserTest<TTestClass>(chromium, app)
{
    private const string Scopes = "openid profile email groups";

    private readonly List<(string Name, OidcPeer Peer)> _peers = [];

    /// <summary>Values that must never reach a page, the health report or the app's log.</summary>
    private readonly List<string> _secrets = [];

    /// <summary>The secret every provider this test starts knows for <see cref="OidcPeer.ClientId"/>.</summary>
    protected string ClientSecret { get; } = $"sso-e2e-secret-{Guid.NewGuid():N}";

    public override async Task InitializeAsync()
    {
        AddSecret(ClientSecret);
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        foreach (var (name, peer) in _peers)
        {
            await Screenshots.SaveTextAsync($"{name}.log", peer.Log);
            await peer.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    protected override string Diagnostics() =>
        string.Join('\n', _peers.Select(p => $"The OIDC provider {p.Name} ({p.Peer.Issuer}) logged:\n{p.Peer.Log}"));

    /// <summary>Another value (a wrong secret, an envelope) that no page and no log line may show.</summary>
    protected void AddSecret(string value) => _secrets.Add(value);

    /// <summary>
    /// A provider that knows this app (its redirect and post-logout addresses) and <see cref="ClientSecret"/>,
    /// shaped as <paramref name="shape"/> (the default peer when null), with <paramref name="accountClaims"/>
    /// laid over its default claims; its log is saved as {name}.log next to the screenshots.
    /// </summary>
    protected async Task<OidcPeer> StartProviderAsync(
        string name,
        OidcPeerShape? shape = null,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, object?>>? accountClaims = null)
    {
        var peer = await OidcPeer.StartAsync(
            ClientSecret,
            redirectUris: [$"{App.BaseUrl}/signin-oidc"],
            postLogoutRedirectUris: [$"{App.BaseUrl}/signout-callback-oidc"],
            accountClaims,
            shape);
        _peers.Add((name, peer));
        return peer;
    }

    /// <summary>
    /// `echo secret | SecretAdmin settings oidc set …` with new users created and no linking by email.
    /// The class shares one app, so every setting a test may change is given, its default included:
    /// roles from <paramref name="roleClaimType"/> (the peer's groups unless told), no email fallback
    /// claim and any email domain unless told, client authentication as discovery offers it, and
    /// single sign-on switched on unless told.
    /// </summary>
    protected Task ConfigureSsoWithCliAsync(
        string authority,
        string clientSecret,
        string buttonLabel,
        string roleClaimType = "groups",
        string adminRoleValue = OidcPeer.AdminGroup,
        string emailClaimFallback = "",
        string allowedEmailDomains = "",
        bool enabled = true) =>
        App.RunCliAsync(
            [
                "settings", "oidc", "set",
                "--enabled", enabled ? "true" : "false",
                "--button-label", buttonLabel,
                "--authority", authority,
                "--client-id", OidcPeer.ClientId,
                "--client-secret-stdin",
                "--scopes", Scopes,
                "--callback-path", "/signin-oidc",
                "--role-claim-type", roleClaimType,
                "--admin-role-value", adminRoleValue,
                "--create-unknown-users", "true",
                "--link-by-verified-email", "false",
                "--email-claim-fallback", emailClaimFallback,
                "--allowed-email-domains", allowedEmailDomains,
                "--client-authentication", "automatic",
            ],
            standardInput: clientSecret);

    /// <summary>Clicks the sign-in page's single sign-on button and waits for the provider's login page.</summary>
    protected async Task ClickSsoButtonAsync(OidcPeer provider)
    {
        await Page.Locator("form.sso-form .sso-sign-in").ClickAsync();
        await Page.WaitForURLAsync(url => url.StartsWith($"{provider.Address}/interaction/", StringComparison.Ordinal));
        await Expect(Page.Locator("input[name=login]")).ToBeVisibleAsync();
    }

    /// <summary>Signs in on the provider's login page and waits until the app has taken the browser back to <paramref name="expectedPath"/>.</summary>
    protected async Task SignInAtProviderAsync(string login, string expectedPath = "/")
    {
        await FillProviderLoginAsync(login);
        await Page.WaitForURLAsync(url => url.StartsWith($"{App.BaseUrl}/", StringComparison.Ordinal) && !IsOnTheWayBack(url));
        Assert.Equal($"{App.BaseUrl}{expectedPath}", Page.Url);
    }

    /// <summary>The provider's development login page takes any login name and any password.</summary>
    protected async Task FillProviderLoginAsync(string login)
    {
        await Page.Locator("input[name=login]").FillAsync(login);
        await Page.Locator("input[name=password]").FillAsync("any password");
        await Page.Locator("button[type=submit]").ClickAsync();
    }

    protected bool IsSsoError(string url) => url.StartsWith($"{App.BaseUrl}/account/sso-error", StringComparison.Ordinal);

    protected async Task AssertNoSecretInPageAsync() => AssertNoSecretIn(await Page.ContentAsync(), $"The page's HTML at {Page.Url}");

    protected void AssertNoSecretInAppLog() => AssertNoSecretIn(App.Log, "The app's log");

    protected void AssertNoSecretIn(string text, string what)
    {
        foreach (var secret in _secrets)
        {
            Assert.False(text.Contains(secret, StringComparison.Ordinal), $"{what} contains a client secret or its envelope.");
        }
    }

    /// <summary>The callback and the completion endpoint only redirect; the journey ends after them.</summary>
    private static bool IsOnTheWayBack(string url)
    {
        var path = new Uri(url).AbsolutePath;
        return path is "/signin-oidc" or "/account/sso" or "/account/sso-complete";
    }
}
