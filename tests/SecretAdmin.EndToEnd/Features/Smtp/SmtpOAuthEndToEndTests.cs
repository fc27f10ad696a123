using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using SecretAdmin.EndToEnd.Support;
using SecretAdmin.Tests.Support.Peers;
using static Microsoft.Playwright.Assertions;

namespace SecretAdmin.EndToEnd.Features.Smtp;

/// <summary>
/// /settings/smtp in Chromium: an administrator sets up OAuth 2.0 mail as for Microsoft 365 — the
/// preset, a pasted private key, the public part to register — and a test mail reaches the real
/// SMTP peer, which takes only tokens the real OIDC peer issued.
/// </summary>
public sealed class SmtpOAuthEndToEndTests(ChromiumFixture chromium, SecretAdminServer app)
    : BrowserTest<SmtpOAuthEndToEndTests>(chromium, app), IClassFixture<ChromiumFixture>, IClassFixture<SecretAdminServer>
{
    private const string Scope = "https://outlook.office365.com/.default";
    private const string ClientId = "secretadmin-mail";
    private const string Mailbox = "alerts@example.test";

    private readonly RSA _key = RSA.Create(2048);
    private OidcPeer? _oidc;
    private SmtpPeer? _mail;

    public override async Task InitializeAsync()
    {
        _oidc = await OidcPeer.StartAsync(
            "unused-sign-in-secret",
            redirectUris: [$"{App.BaseUrl}/signin-oidc"],
            clientCredentialsClients: [OidcPeerClient.WithPrivateKey(ClientId, _key)],
            clientCredentialsScopes: [Scope],
            resourceServer: OidcPeerResourceServer.Default);
        _mail = await SmtpPeer.StartAsync(new SmtpPeerOptions { XOAuth2 = SmtpPeerOptions.XOAuth2Check.Against(_oidc, Scope) });
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        if (_mail is not null)
        {
            await Screenshots.SaveTextAsync("smtp-peer.log", _mail.Log);
            await _mail.DisposeAsync();
        }

        if (_oidc is not null)
        {
            await Screenshots.SaveTextAsync("oidc-peer.log", _oidc.Log);
            await _oidc.DisposeAsync();
        }

        _key.Dispose();
        await base.DisposeAsync();
    }

    protected override string Diagnostics() => $"SMTP peer:\n{_mail?.Log}\nOIDC peer:\n{_oidc?.Log}";

    [Fact]
    public async Task AdminSetsUpOAuthMail_WithAPastedKey_TheTestMailIsSentWithAToken()
    {
        var privateKey = _key.ExportPkcs8PrivateKeyPem();
        var keyLine = privateKey.Split('\n')[1];

        await StepAsync("sign in as admin", SignInAsAdminAsync);

        await StepAsync("open the SMTP settings", async () =>
        {
            await Page.GotoAsync("/settings/smtp");
            await Page.WaitForInteractiveAsync("#smtp-host");
        });

        await StepAsync("password sign-in at Microsoft 365 is warned about", async () =>
        {
            await FillAsync("#smtp-host", "smtp.office365.com");
            await ChooseAsync(".smtp-authentication", "Username and password");
            await Expect(Page.Locator(".smtp-m365-password")).ToContainTextAsync("Choose OAuth 2.0");
        });

        await StepAsync("the Microsoft 365 preset fills the server, endpoint and scope", async () =>
        {
            await Page.Locator(".smtp-preset", new() { HasTextString = "Microsoft 365" }).ClickAsync();
            await Expect(Page.Locator("#smtp-host")).ToHaveValueAsync("smtp.office365.com");
            await Expect(Page.Locator("#smtp-token-endpoint")).ToHaveValueAsync("https://login.microsoftonline.com/<tenant-id>/oauth2/v2.0/token");
            await Expect(Page.Locator("#smtp-scope")).ToHaveValueAsync(Scope);
            await Expect(Page.Locator(".smtp-preset-note")).ToContainTextAsync("SMTP.SendAsApp");
            await Expect(Page.Locator(".smtp-m365-password")).ToHaveCountAsync(0);
        });

        await StepAsync("point it at the test servers and paste the key", async () =>
        {
            await FillAsync("#smtp-host", SmtpPeer.Host);
            await FillAsync("#smtp-port", _mail!.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await ChooseAsync(".smtp-security", "None (plain text)");
            await FillAsync("#smtp-username", Mailbox);
            await FillAsync("#smtp-token-endpoint", _oidc!.TokenEndpoint);
            await FillAsync("#smtp-client-id", ClientId);
            await FillAsync("#smtp-from", Mailbox);
            var keyBox = Page.Locator(".smtp-sign-in .secret-input textarea").First;
            await keyBox.FillAsync(privateKey);
            await keyBox.PressAsync("Tab");
        });

        await StepAsync("save, and the public part to register is shown", async () =>
        {
            await Page.Locator(".settings-save").ClickAsync();
            await Expect(Page.Locator(".mud-snackbar")).ToContainTextAsync("SMTP settings saved.");
            await Expect(Page.Locator(".smtp-public-key")).ToContainTextAsync("Register this with the provider");
            await Expect(Page.Locator(".smtp-certificate textarea")).ToHaveValueAsync(new Regex("^-----BEGIN CERTIFICATE-----"));
            await Expect(Page.Locator(".smtp-sign-in .secret-input textarea").First).ToHaveValueAsync(string.Empty);
            Assert.DoesNotContain(keyLine, await Page.ContentAsync(), StringComparison.Ordinal);
        });

        await StepAsync("send a test mail", async () =>
        {
            await FillAsync("#smtp-recipient", "ops@example.test");
            await Page.Locator(".smtp-send-test").ClickAsync();
            var result = Page.Locator(".smtp-test-result");
            await Expect(result).ToContainTextAsync("The server accepted the message");
            var received = await _mail!.WaitForMailAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(Mailbox, received.AuthUser);
            Assert.Equal(ClientId, Assert.Single(_mail.AuthAttemptDetails).ClientId);
        });

        await StepAsync("narrow and dark", async () =>
        {
            await Page.SetViewportSizeAsync(400, 900);
            await Page.Context.AddCookiesAsync([new Cookie { Name = "SecretAdmin.Theme", Value = "dark", Url = App.BaseUrl }]);
            await Page.ReloadAsync();
            await Page.WaitForInteractiveAsync("#smtp-host");
            await Expect(Page.Locator(".smtp-public-key")).ToBeVisibleAsync();
            await Screenshots.TakeAsync(Page, "the SMTP page at 400 px, dark");
            await Page.Context.ClearCookiesAsync(new() { Name = "SecretAdmin.Theme" });
        });

        Assert.False(App.Log.Contains(keyLine, StringComparison.Ordinal), "The app's log contains the private key.");
    }

    /// <summary>Types a value and tabs out, so the bound value commits on the circuit.</summary>
    private async Task FillAsync(string selector, string value)
    {
        var input = Page.Locator(selector);
        await input.FillAsync(value);
        await input.PressAsync("Tab");
        await Expect(input).ToHaveValueAsync(value);
    }

    /// <summary>Opens a MudSelect and picks the option with this text.</summary>
    private async Task ChooseAsync(string select, string option)
    {
        await Page.Locator($"{select} [role=combobox]").ClickAsync();
        await Page.Locator(".mud-popover-open .mud-list-item", new() { HasTextString = option }).ClickAsync();
        await Expect(Page.Locator(".mud-popover-open")).ToHaveCountAsync(0);
    }
}
