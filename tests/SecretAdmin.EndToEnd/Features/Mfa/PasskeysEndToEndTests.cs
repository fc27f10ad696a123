using Microsoft.Data.Sqlite;
using Microsoft.Playwright;
using SecretAdmin.EndToEnd.Support;
using static Microsoft.Playwright.Assertions;

namespace SecretAdmin.EndToEnd.Features.Mfa;

/// <summary>
/// Passkeys in Chromium with a virtual authenticator: a user adds one on the two-factor page,
/// signs in with it without a password, uses it as the second step after the password, and
/// removes it; a locked-out and a disabled account are refused with a passkey as with a password.
/// </summary>
public sealed class PasskeysEndToEndTests(ChromiumFixture chromium, SecretAdminServer app)
    : PasskeyBrowserTest<PasskeysEndToEndTests>(chromium, app), IClassFixture<ChromiumFixture>, IClassFixture<SecretAdminServer>
{
    [Fact]
    public async Task AddAPasskey_SignInWithoutPassword_UseItAfterThePassword_RemoveIt()
    {
        var authenticator = await VirtualAuthenticator.AddAsync(Page);
        await StepAsync("sign in with the password", SignInAsAdminAsync);

        await StepAsync("the two-factor page offers passkeys", async () =>
        {
            await Page.GotoAsync("/account/mfa");
            await Page.WaitForInteractiveAsync(".passkey-add");
            await Expect(Page.Locator(".passkeys-empty")).ToBeVisibleAsync();
            await Expect(Page.Locator("#passkey-proof")).ToHaveCountAsync(0);
        });

        await StepAsync("add a passkey", async () =>
        {
            await Page.Locator("#passkey-name").FillAsync("Work laptop");
            await Page.Locator(".passkey-add").ClickAsync();
            await Page.WaitForURLAsync(url => url.Contains("passkey=added", StringComparison.Ordinal));
            await Page.WaitForInteractiveAsync(".passkey-item");
            await Expect(Page.Locator(".passkey-added")).ToBeVisibleAsync();
            await Expect(Page.Locator(".passkey-item .passkey-name")).ToHaveTextAsync("Work laptop");
            await Expect(Page.Locator(".passkey-item .passkey-details")).ToContainTextAsync("not used yet");
            Assert.Equal(1, await authenticator.CredentialCountAsync());
        });

        await StepAsync("the two-factor page in dark mode at 400 px", async () =>
        {
            await Page.Context.AddCookiesAsync([new Cookie { Name = "SecretAdmin.Theme", Value = "dark", Url = BaseUrl }]);
            await Page.SetViewportSizeAsync(400, 900);
            await Page.ReloadAsync();
            await Page.WaitForInteractiveAsync(".passkey-item");
            var box = await Page.Locator(".passkeys-card").BoundingBoxAsync();
            Assert.True(box!.Width <= 400, $"The passkeys card is {box.Width} px wide at a 400 px window.");
            await Screenshots.TakeAsync(Page, "two-factor page, dark, 400 px");
            await Page.Context.ClearCookiesAsync(new() { Name = "SecretAdmin.Theme" });
            await Page.SetViewportSizeAsync(1280, 900);
        });

        await StepAsync("sign in with the passkey alone", async () =>
        {
            await Page.Context.ClearCookiesAsync();
            await Page.GotoAsync("/account/login");
            await Page.Locator(".passkey-sign-in").ClickAsync();
            await Page.WaitForURLAsync(url => !new Uri(url).AbsolutePath.StartsWith("/account/", StringComparison.Ordinal));
        });

        await StepAsync("the passkey shows when it was last used", async () =>
        {
            await Page.GotoAsync("/account/mfa");
            await Page.WaitForInteractiveAsync(".passkey-item");
            await Expect(Page.Locator(".passkey-item .passkey-details")).ToContainTextAsync("last used");
        });

        await StepAsync("the password now asks for the passkey as its second step", async () =>
        {
            await Page.Context.ClearCookiesAsync();
            await EnterPasswordAsync(SecretAdminServer.AdminEmail, App.AdminPassword);
            Assert.Equal("/account/login-code", new Uri(Page.Url).AbsolutePath);
            await Expect(Page.Locator(".passkey-only")).ToBeVisibleAsync();
            await Expect(Page.Locator("#code")).ToHaveCountAsync(0);
            await Page.Locator(".passkey-second-step").ClickAsync();
            await Page.WaitForURLAsync(url => !new Uri(url).AbsolutePath.StartsWith("/account/", StringComparison.Ordinal));
        });

        await StepAsync("remove it after confirming the password", async () =>
        {
            await Page.GotoAsync("/account/mfa");
            await Page.WaitForInteractiveAsync(".passkey-remove");
            await Page.Locator("#passkey-proof").FillAsync(App.AdminPassword);
            await Page.Locator(".passkey-remove").ClickAsync();
            await Page.Locator(".confirm-ok").ClickAsync();
            await Expect(Page.Locator(".passkeys-empty")).ToBeVisibleAsync();
        });

        await StepAsync("a removed passkey signs in no more", async () =>
        {
            await Page.Context.ClearCookiesAsync();
            await Page.GotoAsync("/account/login");
            await Page.Locator(".passkey-sign-in").ClickAsync();
            await Expect(Page.Locator(".passkey-failed")).ToBeVisibleAsync();
            Assert.Equal("/account/login", new Uri(Page.Url).AbsolutePath);
            await Page.SetViewportSizeAsync(400, 900);
            await Screenshots.TakeAsync(Page, "sign-in page refused passkey, 400 px");
        });
    }

    [Fact]
    public async Task LockedOutAndDisabledAccounts_AreRefusedWithAPasskey()
    {
        const string email = "locked@example.test";
        var password = $"Passkey-user-{Guid.NewGuid():N}";
        await App.RunCliAsync(["admin", "create", "--email", email, "--password-stdin"], password);
        await VirtualAuthenticator.AddAsync(Page);

        await StepAsync("the user adds a passkey", async () =>
        {
            await EnterPasswordAsync(email, password);
            await Page.GotoAsync("/account/mfa");
            await Page.WaitForInteractiveAsync(".passkey-add");
            await Page.Locator("#passkey-name").FillAsync("Phone");
            await Page.Locator(".passkey-add").ClickAsync();
            await Page.WaitForURLAsync(url => url.Contains("passkey=added", StringComparison.Ordinal));
        });

        await StepAsync("wrong passwords lock the account", async () =>
        {
            await Page.Context.ClearCookiesAsync();
            for (var i = 0; i < 5; i++)
            {
                await Page.GotoAsync("/account/login");
                await Page.Locator("#email").FillAsync(email);
                await Page.Locator("#password").FillAsync("not-the-password-at-all");
                await Page.Locator("form:not(.sso-form) button[type=submit]").ClickAsync();
                await Page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            }

            await Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/lockout"));
        });

        await StepAsync("the passkey is refused while the account is locked out", async () =>
        {
            await Page.GotoAsync("/account/login");
            await Page.Locator(".passkey-sign-in").ClickAsync();
            await Page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/account/lockout");
        });

        await StepAsync("the passkey is refused once the account is disabled", async () =>
        {
            await SetAsync(email, "LockoutEnd = NULL, AccessFailedCount = 0, DisabledAtUtc = '2026-12-04 00:00:00'");
            await Page.GotoAsync("/account/login");
            await Page.Locator(".passkey-sign-in").ClickAsync();
            await Expect(Page.Locator(".passkey-failed")).ToBeVisibleAsync();
            Assert.Equal("/account/login", new Uri(Page.Url).AbsolutePath);
        });

        await StepAsync("and signs in again once it is enabled", async () =>
        {
            await SetAsync(email, "DisabledAtUtc = NULL");
            await Page.GotoAsync("/account/login");
            await Page.Locator(".passkey-sign-in").ClickAsync();
            await Page.WaitForURLAsync(url => !new Uri(url).AbsolutePath.StartsWith("/account/", StringComparison.Ordinal));
        });
    }

    /// <summary>Changes the account's row as an administrator's action would (disable, unlock), straight in the app's database.</summary>
    private async Task SetAsync(string email, string assignments)
    {
        await using var connection = new SqliteConnection($"Data Source={App.DatabaseFile}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"UPDATE AspNetUsers SET {assignments} WHERE NormalizedEmail = $email";
        command.Parameters.AddWithValue("$email", email.ToUpperInvariant());
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }
}
