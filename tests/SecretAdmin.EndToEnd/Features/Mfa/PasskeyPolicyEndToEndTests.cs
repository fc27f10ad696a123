using Microsoft.Playwright;
using SecretAdmin.EndToEnd.Support;
using static Microsoft.Playwright.Assertions;

namespace SecretAdmin.EndToEnd.Features.Mfa;

/// <summary>
/// The MFA policy's passkey rules in Chromium: an administrator who must use a passkey is sent to
/// add one after the password, a passkey that does not verify its user is refused for them, and
/// from then on the passkey is their second step.
/// </summary>
public sealed class PasskeyPolicyEndToEndTests(ChromiumFixture chromium, SecretAdminServer app)
    : PasskeyBrowserTest<PasskeyPolicyEndToEndTests>(chromium, app), IClassFixture<ChromiumFixture>, IClassFixture<SecretAdminServer>
{
    public override async Task InitializeAsync()
    {
        await App.RunCliAsync(["settings", "mfa", "set", "--require-passkey-for-admins", "true"]);
        await base.InitializeAsync();
    }

    [Fact]
    public async Task AdministratorMustUseAPasskey_IsSentToAddOne_WithoutUserVerificationItIsRefused()
    {
        var withoutPin = await VirtualAuthenticator.AddAsync(Page, userVerification: false);

        await StepAsync("the password leads to adding a passkey", async () =>
        {
            await Page.GotoAsync("/admin/users");
            await Page.Locator("#email").FillAsync(SecretAdminServer.AdminEmail);
            await Page.Locator("#password").FillAsync(App.AdminPassword);
            await Page.Locator("form:not(.sso-form) button[type=submit]").ClickAsync();
            await Page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/account/mfa");
            await Page.WaitForInteractiveAsync(".passkey-add");
            await Expect(Page.Locator(".passkey-required")).ToBeVisibleAsync();
        });

        await StepAsync("the console stays closed meanwhile", async () =>
        {
            await Page.GotoAsync("/admin/users");
            Assert.Equal("/account/mfa", new Uri(Page.Url).AbsolutePath);
            await Page.WaitForInteractiveAsync(".passkey-add");
        });

        await StepAsync("a passkey without a PIN or biometrics is refused", async () =>
        {
            await Page.Locator("#passkey-name").FillAsync("Old key");
            await Page.Locator(".passkey-add").ClickAsync();
            await Expect(Page.Locator(".passkey-error")).ToContainTextAsync("must check who is using it");
            await Expect(Page.Locator(".passkeys-empty")).ToBeVisibleAsync();
        });

        await withoutPin.RemoveAsync();
        var withPin = await VirtualAuthenticator.AddAsync(Page);
        await StepAsync("one that verifies the user is added, and the console opens", async () =>
        {
            await Page.Locator("#passkey-name").FillAsync("Laptop");
            await Page.Locator(".passkey-add").ClickAsync();
            await Page.WaitForURLAsync(url => url.Contains("passkey=added", StringComparison.Ordinal));
            await Page.WaitForInteractiveAsync(".passkey-continue");
            await Page.Locator(".passkey-continue").ClickAsync();
            await Page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/admin/users");
        });

        await StepAsync("the next sign-in asks for the passkey after the password", async () =>
        {
            await Page.Context.ClearCookiesAsync();
            await EnterPasswordAsync(SecretAdminServer.AdminEmail, App.AdminPassword);
            Assert.Equal("/account/login-code", new Uri(Page.Url).AbsolutePath);
            await Expect(Page.Locator(".passkey-only")).ToBeVisibleAsync();
        });

        await StepAsync("without user verification it is refused for an administrator", async () =>
        {
            // The same passkey from an authenticator without a PIN: it answers without verifying the user.
            withPin = await withPin.ReplaceAsync(Page, userVerification: false);
            await Page.Locator(".passkey-second-step").ClickAsync();
            await Expect(Page.Locator(".passkey-failed")).ToContainTextAsync("must check who is using it");
            Assert.Equal("/account/login-code", new Uri(Page.Url).AbsolutePath);
        });

        await StepAsync("with it, the administrator is in", async () =>
        {
            withPin = await withPin.ReplaceAsync(Page, userVerification: true);
            await Page.Locator(".passkey-second-step").ClickAsync();
            await Page.WaitForURLAsync(url => !new Uri(url).AbsolutePath.StartsWith("/account/", StringComparison.Ordinal));
        });
    }
}
