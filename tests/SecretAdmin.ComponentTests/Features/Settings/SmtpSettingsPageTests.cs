using SecretAdmin.ComponentTests.Support;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Settings;
using SecretAdmin.Features.Smtp;

namespace SecretAdmin.ComponentTests.Features.Settings;

public sealed class SmtpSettingsPageTests : SettingsPageContext
{
    private const string Password = "smtp-pass-secret-987";

    private Task SaveThroughServiceAsync() =>
        Service<SmtpSettingsService>().SaveAsync(new AuditActor("other@example.test", null), new SmtpSettingsForm
        {
            Host = "127.0.0.1",
            Port = 1,
            Security = SmtpSecurity.None,
            Username = "mailer",
            NewPassword = Password,
            FromAddress = "no-reply@example.test",
            TimeoutSeconds = 5,
        }, 0);

    [Fact]
    public async Task Render_PasswordStored_ShowsItsStatusNeverItsValue()
    {
        await SaveThroughServiceAsync();

        var page = RenderPage<SmtpSettingsPage>();

        Assert.Equal("set", page.Find("[data-secret-state]").GetAttribute("data-secret-state"));
        Assert.DoesNotContain(Password, page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Save_InvalidFields_ShowsEachMessageAndSavesNothing()
    {
        var page = RenderPage<SmtpSettingsPage>();

        page.Find("#smtp-host").Input("https://smtp.example.test");
        page.Find("#smtp-port").Input("0");
        page.Find("#smtp-from").Input("nobody");
        page.Find(".secret-input input").Input("a-password");
        await page.Find("form.settings-form").SubmitAsync();

        page.WaitForAssertion(() => Assert.Contains("Enter a host name or IP address only, without https:// or a port.", page.Markup, StringComparison.Ordinal));
        Assert.Contains("The port must be between 1 and 65535.", page.Markup, StringComparison.Ordinal);
        Assert.Contains("Enter the address mail is sent from", page.Markup, StringComparison.Ordinal);
        Assert.Contains("Enter the username that goes with the password", page.Markup, StringComparison.Ordinal);
        Assert.Equal(0, (await Service<SmtpSettingsService>().GetAsync()).Version);
    }

    [Fact]
    public async Task Save_PasswordBoxLeftEmpty_KeepsThePasswordAndItsDate()
    {
        await SaveThroughServiceAsync();
        var before = Assert.IsType<SecretStatus.Set>((await Service<SmtpSettingsService>().GetAsync()).Password);
        var page = RenderPage<SmtpSettingsPage>();

        page.Find("#smtp-from-name").Input("Ops");
        await page.Find("form.settings-form").SubmitAsync();

        page.WaitForAssertion(() => Assert.Equal(2, Service<SmtpSettingsService>().GetAsync().Result.Version));
        Assert.Equal(before, (await Service<SmtpSettingsService>().GetAsync()).Password);
    }

    [Fact]
    public async Task Render_PasswordUnderAnotherKey_SaysItCannotBeOpened()
    {
        await SaveThroughServiceAsync();
        Sealer.Use(SecretAdmin.Security.KeyRing.CreateNew(DateTimeOffset.UtcNow));

        var page = RenderPage<SmtpSettingsPage>();

        Assert.Equal("unreadable", page.Find("[data-secret-state]").GetAttribute("data-secret-state"));
        Assert.StartsWith("The stored secret cannot be opened (", page.Find(".secret-input input").GetAttribute("placeholder"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Save_TypedPassword_ReplacesItAndRecordsWho()
    {
        await SaveThroughServiceAsync();
        var page = RenderPage<SmtpSettingsPage>();

        page.Find(".secret-input input").Input("a-replacement-password");
        await page.Find("form.settings-form").SubmitAsync();

        page.WaitForAssertion(() => Assert.Equal("admin@example.test", Assert.IsType<SecretStatus.Set>(Service<SmtpSettingsService>().GetAsync().Result.Password).UpdatedBy));
        page.WaitForAssertion(() => Assert.DoesNotContain("a-replacement-password", page.Markup, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Save_ClearConfirmed_RemovesThePassword()
    {
        await SaveThroughServiceAsync();
        var page = RenderPage<SmtpSettingsPage>();

        page.FindAll("button").Single(b => b.TextContent.Trim() == "Clear").Click();
        page.WaitForAssertion(() => Assert.Contains(Dialogs.FindAll("button"), b => b.TextContent.Trim() == "Clear"));
        Dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Clear").Click();
        page.Find("#smtp-username").Input("");
        await page.Find("form.settings-form").SubmitAsync();

        page.WaitForAssertion(() => Assert.IsType<SecretStatus.NotSet>(Service<SmtpSettingsService>().GetAsync().Result.Password));
    }

    [Fact]
    public async Task Save_AfterSomeoneElseSaved_SaysSoAndOverwritesNothing()
    {
        var page = RenderPage<SmtpSettingsPage>();
        await SaveThroughServiceAsync();

        page.Find("#smtp-host").Input("smtp.mine.example");
        page.Find("#smtp-from").Input("me@example.test");
        await page.Find("form.settings-form").SubmitAsync();

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll(".settings-conflict")));
        Assert.Equal("127.0.0.1", (await Service<SmtpSettingsService>().GetAsync()).Host);
    }

    [Fact]
    public async Task TestMail_OtherHostWithoutATypedPassword_SaysTheStoredOneIsNotSent()
    {
        await SaveThroughServiceAsync();
        var page = RenderPage<SmtpSettingsPage>();

        page.Find("#smtp-host").Input("mail.elsewhere.example");
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll(".smtp-other-server")));
        page.Find("#smtp-recipient").Input("ops@example.test");
        await page.Find(".smtp-send-test").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Contains("the stored password is not sent there", page.Find(".smtp-test-result").TextContent, StringComparison.Ordinal));
        Assert.DoesNotContain(Password, page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TestMail_RefusedPort_ShowsCouldNotConnect()
    {
        await SaveThroughServiceAsync();
        var page = RenderPage<SmtpSettingsPage>();

        page.Find("#smtp-recipient").Input("ops@example.test");
        await page.Find(".smtp-send-test").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Contains("Could not connect to 127.0.0.1:1", page.Find(".smtp-test-result").TextContent, StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        Assert.DoesNotContain(Password, page.Markup, StringComparison.Ordinal);
    }
}
