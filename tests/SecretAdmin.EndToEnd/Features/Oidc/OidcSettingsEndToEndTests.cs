using System.Text.RegularExpressions;
using SecretAdmin.EndToEnd.Support;
using SecretAdmin.Tests.Support.Peers;
using static Microsoft.Playwright.Assertions;

namespace SecretAdmin.EndToEnd.Features.Oidc;

/// <summary>/settings/oidc in Chromium against the real app and a real OpenID Connect provider.</summary>
public sealed class OidcSettingsEndToEndTests(ChromiumFixture chromium, SecretAdminServer app)
    : BrowserTest<OidcSettingsEndToEndTests>(chromium, app), IClassFixture<ChromiumFixture>, IClassFixture<SecretAdminServer>
{
    private readonly string _clientSecret = $"oidc-e2e-secret-{Guid.NewGuid():N}";
    private OidcPeer? _oidc;

    private OidcPeer Oidc => _oidc ?? throw new InvalidOperationException("The OIDC provider is started in InitializeAsync.");

    public override async Task InitializeAsync()
    {
        _oidc = await OidcPeer.StartAsync(
            _clientSecret,
            redirectUris: [$"{App.BaseUrl}/signin-oidc"],
            postLogoutRedirectUris: [$"{App.BaseUrl}/account/login"]);
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        if (_oidc is not null)
        {
            await Screenshots.SaveTextAsync("oidc-peer.log", _oidc.Log);
            await _oidc.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    [Fact]
    public async Task AdminConfiguresOidc_ThroughTheSettingsPage_DiscoveryPassesAndSaves()
    {
        var secretBox = Page.Locator(".secret-input input");

        await StepAsync("sign in as admin", SignInAsAdminAsync);

        await StepAsync("open oidc settings", async () =>
        {
            await Page.GotoAsync("/settings/oidc");
            await Page.WaitForInteractiveAsync("#oidc-authority");
            await Expect(Page.Locator("#oidc-authority")).ToBeEditableAsync();
            await Expect(secretBox).ToHaveAttributeAsync("placeholder", "not set");
        });

        await StepAsync("fill the form", async () =>
        {
            await Page.Locator(".oidc-enabled input").CheckAsync();
            await FillAsync("#oidc-authority", Oidc.Issuer);
            await FillAsync("#oidc-client-id", OidcPeer.ClientId);
            await FillAsync(".secret-input input", _clientSecret);
            await FillAsync("#oidc-role-claim", "groups");
            await FillAsync("#oidc-admin-value", OidcPeer.AdminGroup);
            await Expect(Page.Locator(".oidc-enabled input")).ToBeCheckedAsync();
            await AssertSecretNotInPageAsync();
        });

        await StepAsync("check discovery", async () =>
        {
            await Page.Locator(".oidc-check-discovery").ClickAsync();
            var result = Page.Locator(".oidc-discovery-result");
            await Expect(result).ToBeVisibleAsync();
            await Expect(result).ToHaveClassAsync(new Regex(@"\bmud-alert-\w+-success\b"));
            await Expect(result).ToContainTextAsync("The provider's discovery document is valid.");
            await Expect(result).ToContainTextAsync($"Issuer: {Oidc.Issuer}");
        });

        await StepAsync("save", async () =>
        {
            await Page.Locator(".settings-save").ClickAsync();
            await Expect(Page.Locator(".mud-snackbar")).ToContainTextAsync("OIDC settings saved.");
            await Expect(secretBox).ToHaveAttributeAsync("placeholder", new Regex("set on .* by "));
            await Expect(secretBox).ToHaveValueAsync(string.Empty);
            await AssertSecretNotInPageAsync();
        });

        await StepAsync("reload shows the stored settings", async () =>
        {
            await Page.ReloadAsync();
            await Page.WaitForInteractiveAsync("#oidc-authority");
            await Expect(Page.Locator("#oidc-authority")).ToHaveValueAsync(Oidc.Issuer);
            await Expect(Page.Locator("#oidc-client-id")).ToHaveValueAsync(OidcPeer.ClientId);
            await Expect(Page.Locator("#oidc-role-claim")).ToHaveValueAsync("groups");
            await Expect(Page.Locator("#oidc-admin-value")).ToHaveValueAsync(OidcPeer.AdminGroup);
            await Expect(Page.Locator(".oidc-enabled input")).ToBeCheckedAsync();
            await Expect(secretBox).ToHaveAttributeAsync("placeholder", new Regex("set on .* by "));
            await AssertSecretNotInPageAsync();
        });

        Assert.False(App.Log.Contains(_clientSecret, StringComparison.Ordinal), "The app's log contains the client secret.");
    }

    protected override string Diagnostics() => _oidc is null ? string.Empty : $"The OIDC provider's log:\n{_oidc.Log}";

    /// <summary>The page's HTML as the browser holds it now never carries the client secret (a typed value lives in the input's property, not its markup).</summary>
    private async Task AssertSecretNotInPageAsync()
    {
        var html = await Page.ContentAsync();
        Assert.False(html.Contains(_clientSecret, StringComparison.Ordinal), $"The page's HTML at {Page.Url} contains the client secret.");
    }

    /// <summary>Types a value and tabs out, so the bound value commits on the circuit.</summary>
    private async Task FillAsync(string selector, string value)
    {
        var input = Page.Locator(selector);
        await input.FillAsync(value);
        await input.PressAsync("Tab");
        await Expect(input).ToHaveValueAsync(value);
    }
}
