using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using SecretAdmin.EndToEnd.Support;
using SecretAdmin.Tests.Support.Peers;
using static Microsoft.Playwright.Assertions;

namespace SecretAdmin.EndToEnd.Features.Account;

/// <summary>
/// Links that arrive by mail, in Chromium: an administrator invites a user, who opens the link from
/// the mail the real SMTP peer received and chooses a password; a user who forgot theirs resets it
/// from the mail, and signing in still asks for the authenticator's code.
/// </summary>
public sealed class MailLinksEndToEndTests(ChromiumFixture chromium, SecretAdminServer app)
    : BrowserTest<MailLinksEndToEndTests>(chromium, app), IClassFixture<ChromiumFixture>, IClassFixture<SecretAdminServer>
{
    private const string NewPassword = "Chosen-From-Mail-2026";

    private SmtpPeer? _mail;

    private SmtpPeer Mail => _mail ?? throw new InvalidOperationException("The SMTP peer is started in InitializeAsync.");

    public override async Task InitializeAsync()
    {
        _mail = await SmtpPeer.StartAsync();
        await App.RunCliAsync(["settings", "smtp", "set", "--host", SmtpPeer.Host, "--port", _mail.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--security", "none", "--auth", "none", "--from", "no-reply@example.test"]);
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        if (_mail is not null)
        {
            await Screenshots.SaveTextAsync("smtp-peer.log", _mail.Log);
            await _mail.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    [Fact]
    public async Task AdminInvitesAUser_TheUserChoosesAPasswordFromTheMailAndSignsIn()
    {
        const string email = "invitee@example.test";
        await StepAsync("sign in as admin", SignInAsAdminAsync);

        await StepAsync("the new-user dialog offers an invitation", async () =>
        {
            await Page.GotoAsync("/admin/users");
            await Page.WaitForInteractiveAsync(".users-create");
            await Page.Locator(".users-create").ClickAsync();
            await Expect(Page.Locator(".create-user-invite input")).ToBeCheckedAsync();
            await Expect(Page.Locator("#create-user-password")).ToHaveCountAsync(0);
            await Page.Locator("#create-user-email").FillAsync(email);
        });

        await StepAsync("invite", async () =>
        {
            await Page.Locator(".create-user-submit").ClickAsync();
            await Expect(Page.Locator(".mud-snackbar")).ToContainTextAsync($"Created {email}");
        });

        var link = await LinkFromNextMailAsync(email);
        var user = await NewBrowserAsync();

        await StepAsync("the link from the mail asks for a password", async () =>
        {
            await user.GotoAsync(link);
            await Expect(user.Locator("h1")).ToHaveTextAsync("Choose your password");
            await Screenshots.TakeAsync(user, "the invitation page");
            await user.SetViewportSizeAsync(400, 800);
            await user.Context.AddCookiesAsync([new Cookie { Name = "SecretAdmin.Theme", Value = "dark", Url = App.BaseUrl }]);
            await user.ReloadAsync();
            await Screenshots.TakeAsync(user, "the invitation page at 400 px, dark");
        });

        await StepAsync("choose the password and sign in with it", async () =>
        {
            await SetPasswordAsync(user);
            await SignInAsync(user, email, NewPassword);
            await user.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
        });

        await StepAsync("the link works once", async () =>
        {
            var again = await NewBrowserAsync();
            await again.GotoAsync(link);
            await Expect(again.Locator(".password-link-invalid")).ToContainTextAsync("not valid any more");
        });

        await StepAsync("the Mail page lists the invitation as sent, without its link", async () =>
        {
            await Page.GotoAsync("/admin/mail");
            await Expect(Page.Locator(".mail-row", new() { HasTextString = email }).Locator(".mail-status")).ToContainTextAsync("Sent");
            Assert.DoesNotContain("token=", await Page.ContentAsync(), StringComparison.Ordinal);
            await Screenshots.TakeAsync(Page, "the Mail page");
        });

        Assert.DoesNotContain("token=", App.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UserWithAnAuthenticatorForgetsTheirPassword_ResetsItFromTheMail_AndIsStillAskedForTheCode()
    {
        const string email = "forgetful@example.test";
        var password = $"Forgetful-{Guid.NewGuid():N}";
        await App.RunCliAsync(["admin", "create", "--email", email, "--password-stdin"], password);
        var user = await NewBrowserAsync();

        await StepAsync("set up an authenticator", () => OnAsync(user, async () =>
        {
            await SignInAsync(user, email, password);
            await user.WaitForURLAsync(url => !new Uri(url).AbsolutePath.StartsWith("/account/login", StringComparison.Ordinal));
            await user.GotoAsync("/account/mfa");
            await user.WaitForInteractiveAsync(".mfa-start");
            await user.Locator(".mfa-start").ClickAsync();
            var key = (await user.Locator(".mfa-manual-key").TextContentAsync())!.Replace(" ", "", StringComparison.Ordinal);
            await user.Locator("#mfa-confirm-code").FillAsync(Totp(key));
            await user.Locator(".mfa-confirm").ClickAsync();
            await Expect(user.Locator(".mfa-codes-saved")).ToBeVisibleAsync();
        }));

        var stranger = await NewBrowserAsync();
        await StepAsync("forgot your password", () => OnAsync(stranger, async () =>
        {
            await stranger.GotoAsync("/account/login");
            await stranger.Locator(".login-forgot-password").ClickAsync();

            // The sign-in page has an #email too: wait until the link's page has replaced it.
            await Expect(stranger.Locator("h1")).ToHaveTextAsync("Forgot your password?");
            await stranger.Locator("#email").FillAsync(email);
            await stranger.Locator("form button[type=submit]").ClickAsync();
            await Expect(stranger.Locator(".forgot-password-sent")).ToContainTextAsync("If an account exists for that address");
            await Screenshots.TakeAsync(stranger, "the forgot-password answer");
        }));

        var link = await LinkFromNextMailAsync(email);
        await StepAsync("reset from the mail, and sign-in asks for the code", () => OnAsync(stranger, async () =>
        {
            await stranger.GotoAsync(link);
            await Expect(stranger.Locator("h1")).ToHaveTextAsync("Reset your password");
            await SetPasswordAsync(stranger);
            await SignInAsync(stranger, email, NewPassword);
            await stranger.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/account/login-code");
            await Screenshots.TakeAsync(stranger, "the code is still asked for");
        }));
    }

    /// <summary>Runs a step in another browser, with that browser's screenshot when it fails.</summary>
    private async Task OnAsync(IPage page, Func<Task> step)
    {
        try
        {
            await step();
        }
        catch
        {
            await Screenshots.TakeAsync(page, $"the other browser at {new Uri(page.Url).AbsolutePath.Trim('/').Replace('/', '-')}");
            throw;
        }
    }

    private async Task<IPage> NewBrowserAsync()
    {
        var context = await Page.Context.Browser!.NewContextAsync(new() { BaseURL = App.BaseUrl });
        await BlazorPage.TrackPrerenderingAsync(context);
        return await context.NewPageAsync();
    }

    private static async Task SetPasswordAsync(IPage page)
    {
        await page.Locator("#new-password").FillAsync(NewPassword);
        await page.Locator("#confirm-password").FillAsync(NewPassword);
        await page.Locator("form button[type=submit]").ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("/account/login?notice=password-set", StringComparison.Ordinal));
        await Expect(page.Locator(".login-password-set")).ToBeVisibleAsync();
    }

    private static async Task SignInAsync(IPage page, string email, string password)
    {
        if (!page.Url.Contains("/account/login", StringComparison.Ordinal))
        {
            await page.GotoAsync("/account/login");
        }

        await page.Locator("#email").FillAsync(email);
        await page.Locator("#password").FillAsync(password);
        await page.Locator("form:not(.sso-form) button[type=submit]").ClickAsync();
    }

    /// <summary>The link in the next mail to <paramref name="to"/>, as a mail program decodes its body, as path and query.</summary>
    /// <remarks>Mail without a link (a security notice, such as "an authenticator was set up") is passed over.</remarks>
    private async Task<string> LinkFromNextMailAsync(string to)
    {
        for (var seen = 0; seen < 5; seen++)
        {
            var mail = await Mail.WaitForMailAsync(TimeSpan.FromSeconds(30));
            Assert.Equal([to], mail.To);
            using var raw = new MemoryStream(Encoding.UTF8.GetBytes(mail.Raw));
            var body = (await MimeKit.MimeMessage.LoadAsync(raw)).TextBody ?? string.Empty;
            var link = Regex.Match(body, Regex.Escape(App.BaseUrl) + @"(?<path>/account/[a-z-]+\?\S+)");
            if (link.Success)
            {
                return link.Groups["path"].Value;
            }
        }

        throw new Xunit.Sdk.XunitException($"None of the next five mails to {to} held a link to {App.BaseUrl}.");
    }

    /// <summary>The current RFC 6238 code (SHA-1, 6 digits, 30 s) of a base32 key, as an authenticator app computes it.</summary>
    private static string Totp(string base32Key)
    {
        var bits = new StringBuilder();
        foreach (var c in base32Key.TrimEnd('=').ToUpperInvariant())
        {
            bits.Append(Convert.ToString("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".IndexOf(c, StringComparison.Ordinal), 2).PadLeft(5, '0'));
        }

        var key = Enumerable.Range(0, bits.Length / 8).Select(i => Convert.ToByte(bits.ToString(i * 8, 8), 2)).ToArray();
        var counter = BitConverter.GetBytes(DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 30);
        if (BitConverter.IsLittleEndian)
        {
            Array.Reverse(counter);
        }

        var hash = HMACSHA1.HashData(key, counter);
        var offset = hash[^1] & 0x0F;
        var code = ((hash[offset] & 0x7F) << 24 | hash[offset + 1] << 16 | hash[offset + 2] << 8 | hash[offset + 3]) % 1_000_000;
        return code.ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
    }
}
