using MudBlazor;
using SecretAdmin.ComponentTests.Support;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Settings;
using SecretAdmin.Features.Smtp;
using SecretAdmin.Security;

namespace SecretAdmin.ComponentTests.Features.Smtp;

/// <summary>
/// The SMTP settings page against the real service, sealer and SQLite file: the password's
/// placeholder, what a save does to the stored password, validation, lost updates, and test mail.
/// </summary>
public sealed class SmtpSettingsPageTests : SettingsPageContext
{
    private const string Password = "smtp-pass-secret-987";
    private static readonly AuditActor Other = new("other@example.test", null);
    private static readonly DateTimeOffset SeededAt = new(2026, 3, 4, 5, 6, 0, TimeSpan.Zero);

    private readonly ManualClock _clock;

    // The clock goes to the base, which registers it before any service is built; the private
    // constructor keeps hold of it too (xUnit wants a single public constructor).
    public SmtpSettingsPageTests()
        : this(new ManualClock(SeededAt))
    {
    }

    private SmtpSettingsPageTests(ManualClock clock)
        : base(clock)
    {
        _clock = clock;
    }

    private SmtpSettingsService Smtp => Service<SmtpSettingsService>();

    /// <summary>Stores settings with a password, as another admin, at <see cref="SeededAt"/>; later saves happen an hour on.</summary>
    private async Task SeedAsync(string host = "127.0.0.1", int port = 1)
    {
        var result = await Smtp.SaveAsync(Other, new SmtpSettingsForm
        {
            Host = host,
            Port = port,
            Security = SmtpSecurity.None,
            Authentication = SmtpAuthentication.Password,
            Username = "mailer",
            NewPassword = Password,
            FromAddress = "no-reply@example.test",
            TimeoutSeconds = 5,
        }, 0);
        Assert.True(result.Succeeded, result.Message);
        _clock.Now = SeededAt.AddHours(1);
    }

    /// <summary>Picks how to sign in, as choosing it in the select does.</summary>
    private static Task ChooseSignInAsync(IRenderedComponent<SmtpSettingsPage> page, SmtpAuthentication choice) =>
        page.InvokeAsync(() => page.FindComponents<MudSelect<SmtpAuthentication>>().Single().Instance.ValueChanged.InvokeAsync(choice));

    private static string TextAroundPassword(IRenderedComponent<SmtpSettingsPage> page) =>
        SecretInput(page).Closest(".secret-field")!.TextContent;

    private static Task SendTestMailAsync(IRenderedComponent<SmtpSettingsPage> page) => page.Find("form.smtp-test-mail-form").SubmitAsync();

    [Fact]
    public async Task Render_NothingStored_AsksForNoPasswordUntilPasswordSignInIsChosenThenSaysItIsNotSet()
    {
        var page = RenderPage<SmtpSettingsPage>();
        Assert.Empty(page.FindAll("[data-secret-state]"));

        await ChooseSignInAsync(page, SmtpAuthentication.Password);

        Assert.Equal("not-set", SecretState(page));
        Assert.Equal("not set", SecretInput(page).GetAttribute("placeholder"));
        Assert.DoesNotContain(page.FindAll("button"), b => b.TextContent.Trim() == "Clear");
    }

    [Fact]
    public async Task Render_PasswordStored_SaysWhenAndByWhomNeverThePassword()
    {
        await SeedAsync();

        var page = RenderPage<SmtpSettingsPage>();

        Assert.Equal("set", SecretState(page));
        Assert.Equal("•••••••• set on 2026-03-04 05:06 UTC by other@example.test", SecretInput(page).GetAttribute("placeholder"));
        Assert.True(string.IsNullOrEmpty(SecretInput(page).GetAttribute("value")));
        Assert.Equal("127.0.0.1", page.Find("#smtp-host").GetAttribute("value"));
        Assert.DoesNotContain(Password, page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_PasswordSealedUnderAnotherKey_SaysItCannotBeOpened()
    {
        await SeedAsync();
        Sealer.Use(KeyRing.CreateNew(DateTimeOffset.UtcNow));

        var page = RenderPage<SmtpSettingsPage>();

        Assert.Equal("unreadable", SecretState(page));
        Assert.StartsWith("The stored secret cannot be opened (", SecretInput(page).GetAttribute("placeholder"), StringComparison.Ordinal);
        Assert.Contains("mud-input-error", page.Find(".secret-field").InnerHtml, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Save_PasswordBoxLeftEmpty_KeepsThePasswordWithItsDateAndAuthor()
    {
        await SeedAsync();
        var before = Assert.IsType<SecretStatus.Set>((await Smtp.GetAsync()).Password);
        var page = RenderPage<SmtpSettingsPage>();

        page.Find("#smtp-from-name").Input("Ops");
        await SaveAsync(page);

        page.WaitForAssertion(() => Assert.Equal(2, Smtp.GetAsync().Result.Version), Wait);
        var after = await Smtp.GetAsync();
        Assert.Equal("Ops", after.FromName);
        Assert.Equal(before, after.Password);
        Assert.Equal(new SecretStatus.Set(SeededAt.UtcDateTime, "other@example.test") { BoundTo = after.Password.BoundTo }, after.Password);
        Assert.NotNull(after.Password.BoundTo);
    }

    [Fact]
    public async Task Save_PasswordTyped_ReplacesItRecordsWhoAndWhenAndEmptiesTheBox()
    {
        await SeedAsync();
        var page = RenderPage<SmtpSettingsPage>();

        SecretInput(page).Input("a-replacement-password");
        await SaveAsync(page);

        page.WaitForAssertion(() => Assert.Equal(2, Smtp.GetAsync().Result.Version), Wait);
        var password = (await Smtp.GetAsync()).Password;
        Assert.Equal(new SecretStatus.Set(SeededAt.AddHours(1).UtcDateTime, AdminEmail) { BoundTo = password.BoundTo }, password);
        page.WaitForAssertion(() => Assert.Equal("•••••••• set on 2026-03-04 06:06 UTC by admin@example.test", SecretInput(page).GetAttribute("placeholder")), Wait);
        Assert.True(string.IsNullOrEmpty(SecretInput(page).GetAttribute("value")));
        Assert.DoesNotContain("a-replacement-password", page.Markup, StringComparison.Ordinal);
        Assert.Contains(Service<ISnackbar>().ShownSnackbars, s => s.Message == "SMTP settings saved." && s.Severity == Severity.Success);
    }

    [Fact]
    public async Task Save_ClearConfirmed_RemovesThePasswordAndForgetsTheClearFlag()
    {
        await SeedAsync();
        var page = RenderPage<SmtpSettingsPage>();

        page.FindAll("button").Single(b => b.TextContent.Trim() == "Clear").Click();
        Confirm("Clear");
        page.WaitForAssertion(() => Assert.Contains("Will be removed when you save.", page.Markup, StringComparison.Ordinal), Wait);
        await ChooseSignInAsync(page, SmtpAuthentication.None);
        await SaveAsync(page);

        page.WaitForAssertion(() => Assert.IsType<SecretStatus.NotSet>(Smtp.GetAsync().Result.Password), Wait);
        page.WaitForAssertion(() => Assert.Equal(SmtpAuthentication.None, Smtp.GetAsync().Result.Authentication), Wait);
        await ChooseSignInAsync(page, SmtpAuthentication.Password);
        page.WaitForAssertion(() => Assert.Equal("not-set", SecretState(page)), Wait);
        Assert.DoesNotContain("Will be removed when you save.", page.Markup, StringComparison.Ordinal);
        Assert.Null(SecretInput(page).GetAttribute("disabled"));
    }

    [Fact]
    public async Task Save_PortChangedKeepingThePassword_ShowsTheMessageOnThePasswordAndSavesNothing()
    {
        await SeedAsync(port: 1);
        var page = RenderPage<SmtpSettingsPage>();

        page.Find("#smtp-port").Input("2525");
        await SaveAsync(page);

        page.WaitForAssertion(() => Assert.Contains(SmtpSettingsService.ServerChangedMessage, TextAroundPassword(page), StringComparison.Ordinal), Wait);
        Assert.Equal((1, 1L), ((await Smtp.GetAsync()).Port, (await Smtp.GetAsync()).Version));

        SecretInput(page).Input("typed-again");
        await SaveAsync(page);

        page.WaitForAssertion(() => Assert.Equal(2525, Smtp.GetAsync().Result.Port), Wait);
    }

    [Fact]
    public async Task Save_InvalidFields_ShowsEachMessageUnderItsFieldAndSavesNothing()
    {
        var page = RenderPage<SmtpSettingsPage>();
        await ChooseSignInAsync(page, SmtpAuthentication.Password);

        page.Find("#smtp-host").Input("https://smtp.example.test");
        page.Find("#smtp-port").Input("0");
        page.Find("#smtp-from").Input("nobody");
        SecretInput(page).Input("a-password");
        await SaveAsync(page);

        page.WaitForAssertion(() => Assert.Contains("Enter a host name or IP address only, without https:// or a port.", TextAround(page, "#smtp-host"), StringComparison.Ordinal), Wait);
        Assert.Contains("The port must be between 1 and 65535.", TextAround(page, "#smtp-port"), StringComparison.Ordinal);
        Assert.Contains("Enter the address mail is sent from", TextAround(page, "#smtp-from"), StringComparison.Ordinal);
        Assert.Contains("Enter the username that goes with the password.", TextAround(page, "#smtp-username"), StringComparison.Ordinal);
        Assert.NotEmpty(page.FindAll(".settings-invalid"));
        Assert.Equal(0, (await Smtp.GetAsync()).Version);
        Assert.Empty((await Service<AuditLog>().SearchAsync(new())).Items);
        Assert.DoesNotContain("a-password", page.Find(".settings-invalid").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PortTyped_OutOfRange_SaysSoAtOnceKeepsItAfterLeavingTheFieldAndClearsWhenCorrected()
    {
        var page = RenderPage<SmtpSettingsPage>();

        page.Find("#smtp-port").Input("0");

        page.WaitForAssertion(() => Assert.Contains("The port must be between 1 and 65535.", TextAround(page, "#smtp-port"), StringComparison.Ordinal), Wait);
        Assert.DoesNotContain("Enter the SMTP server's host name", page.Markup, StringComparison.Ordinal);
        await page.Find("#smtp-port").BlurAsync(new());
        await SaveAsync(page);
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll(".settings-invalid")), Wait);
        Assert.Contains("The port must be between 1 and 65535.", TextAround(page, "#smtp-port"), StringComparison.Ordinal);
        page.Find("#smtp-port").Input("465");
        page.WaitForAssertion(() => Assert.DoesNotContain("The port must be between", page.Markup, StringComparison.Ordinal), Wait);
    }

    [Fact]
    public async Task FieldEdited_ShowsItsOwnMessageAtOnceAndTheOthersOnlyAfterSave()
    {
        var page = RenderPage<SmtpSettingsPage>();

        page.Find("#smtp-from").Input("nobody");

        page.WaitForAssertion(() => Assert.Contains("Enter the address mail is sent from", TextAround(page, "#smtp-from"), StringComparison.Ordinal), Wait);
        Assert.DoesNotContain("Enter the SMTP server's host name", TextAround(page, "#smtp-host"), StringComparison.Ordinal);
        Assert.NotEmpty(page.FindAll(".settings-invalid"));

        await SaveAsync(page);

        page.WaitForAssertion(() => Assert.Contains("Enter the SMTP server's host name", TextAround(page, "#smtp-host"), StringComparison.Ordinal), Wait);
        Assert.Contains("Enter the address mail is sent from", TextAround(page, "#smtp-from"), StringComparison.Ordinal);
        Assert.Equal(0, (await Smtp.GetAsync()).Version);
    }

    [Fact]
    public async Task Save_PortChangedKeepingThePassword_ClearingThePasswordTakesTheMessageAway()
    {
        await SeedAsync(port: 1);
        var page = RenderPage<SmtpSettingsPage>();
        page.Find("#smtp-port").Input("2525");
        await SaveAsync(page);
        page.WaitForAssertion(() => Assert.Contains(SmtpSettingsService.ServerChangedMessage, TextAroundPassword(page), StringComparison.Ordinal), Wait);
        Assert.Contains("mud-input-error", page.Find(".secret-field").InnerHtml, StringComparison.Ordinal);

        page.FindAll(".secret-field button").Single(b => b.TextContent.Trim() == "Clear").Click();
        Confirm("Clear");

        // Password sign-in without a password is the one thing left to say.
        page.WaitForAssertion(() => Assert.DoesNotContain(SmtpSettingsService.ServerChangedMessage, TextAroundPassword(page), StringComparison.Ordinal), Wait);
        Assert.Contains("Will be removed when you save.", TextAroundPassword(page), StringComparison.Ordinal);
        Assert.Contains("Type the password, or choose another sign-in.", TextAroundPassword(page), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PasswordTyped_ThePlaceholderMask_SaysSoAtOnceUnderThePasswordAndNotOnceErased()
    {
        var page = RenderPage<SmtpSettingsPage>();
        await ChooseSignInAsync(page, SmtpAuthentication.Password);

        SecretInput(page).Input(SettingsValidation.Mask);

        page.WaitForAssertion(() => Assert.Contains("That is the placeholder, not a secret.", TextAroundPassword(page), StringComparison.Ordinal), Wait);
        Assert.DoesNotContain("Enter the SMTP server's host name", page.Markup, StringComparison.Ordinal);
        SecretInput(page).Input("");
        page.WaitForAssertion(() => Assert.DoesNotContain("That is the placeholder", TextAroundPassword(page), StringComparison.Ordinal), Wait);
    }

    [Fact]
    public async Task Save_AfterSomeoneElseSaved_SaysSoOverwritesNothingAndReloadsTheirs()
    {
        var page = RenderPage<SmtpSettingsPage>();
        await SeedAsync(host: "smtp.theirs.example");

        page.Find("#smtp-host").Input("smtp.mine.example");
        page.Find("#smtp-from").Input("me@example.test");
        await SaveAsync(page);

        page.WaitForAssertion(() => Assert.Contains(SettingsSaveResult.ConflictMessage, page.Find(".settings-conflict").TextContent, StringComparison.Ordinal), Wait);
        // Inside the form, so it is as wide as the form's cards rather than the whole page.
        Assert.NotNull(page.Find(".settings-conflict").Closest("form.settings-form"));
        Assert.Equal(("smtp.theirs.example", 1L), ((await Smtp.GetAsync()).Host, (await Smtp.GetAsync()).Version));

        page.Find(".settings-reload").Click();
        Confirm("Reload");

        page.WaitForAssertion(() => Assert.Equal("smtp.theirs.example", page.Find("#smtp-host").GetAttribute("value")), Wait);
        Assert.Empty(page.FindAll(".settings-conflict"));
        Assert.Equal("set", SecretState(page));
    }

    [Fact]
    public async Task Markup_PasswordStored_NeverContainsItAfterRerenderOrFailedSave()
    {
        await SeedAsync();
        var page = RenderPage<SmtpSettingsPage>();

        page.Render();
        Assert.DoesNotContain(Password, page.Markup, StringComparison.Ordinal);
        page.Find("#smtp-host").Input("https://bad.example");
        await SaveAsync(page);
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll(".settings-invalid")), Wait);

        Assert.DoesNotContain(Password, page.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, Dialogs.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TestMail_RefusedPort_SaysCouldNotConnectAndAuditsTheFailure()
    {
        await SeedAsync(host: "127.0.0.1", port: 1);
        var page = RenderPage<SmtpSettingsPage>();

        page.Find("#smtp-recipient").Input("ops@example.test");
        // The Send button this time, not the form: it must submit the test-mail form.
        await page.ClickAsync(".smtp-send-test");

        page.WaitForAssertion(() => Assert.Contains("Could not connect to 127.0.0.1:1", page.Find(".smtp-test-result").TextContent, StringComparison.Ordinal), TimeSpan.FromSeconds(15));
        Assert.Contains("mud-alert-text-error", page.Find(".smtp-test-result").ClassName, StringComparison.Ordinal);
        Assert.Empty(page.FindAll(".smtp-sending"));
        Assert.DoesNotContain(Password, page.Markup, StringComparison.Ordinal);
        var entry = Assert.Single((await Service<AuditLog>().SearchAsync(new(Action: AuditActions.SmtpTestMailFailed))).Items);
        Assert.Equal(("admin@example.test", "ops@example.test"), (entry.Actor, entry.Target));
        Assert.Equal(1, (await Smtp.GetAsync()).Version);
    }

    [Theory]
    [InlineData("#smtp-host", "127.0.0.2")]
    [InlineData("#smtp-port", "2")]
    [InlineData("#smtp-username", "other-mailer")]
    [InlineData(".secret-input input", "a-typed-password")]
    [InlineData("#smtp-from", "other@example.test")]
    public async Task TestMail_ServerFieldEditedAfterwards_ItsResultNoLongerShows(string field, string value)
    {
        await SeedAsync(host: "127.0.0.1", port: 1);
        var page = RenderPage<SmtpSettingsPage>();
        page.Find("#smtp-recipient").Input("ops@example.test");
        await SendTestMailAsync(page);
        page.WaitForAssertion(() => Assert.Contains("Could not connect to 127.0.0.1:1", page.Find(".smtp-test-result").TextContent, StringComparison.Ordinal), TimeSpan.FromSeconds(15));

        page.Find(field).Input(value);

        page.WaitForAssertion(() => Assert.Empty(page.FindAll(".smtp-test-result")), Wait);
    }

    [Fact]
    public async Task TestMail_OnlyTheRecipientEditedAfterwards_ItsResultStillShows()
    {
        await SeedAsync(host: "127.0.0.1", port: 1);
        var page = RenderPage<SmtpSettingsPage>();
        page.Find("#smtp-recipient").Input("ops@example.test");
        await SendTestMailAsync(page);
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll(".smtp-test-result")), TimeSpan.FromSeconds(15));

        page.Find("#smtp-from-name").Input("Another name");
        page.Find("#smtp-recipient").Input("someone@example.test");

        Assert.Contains("Could not connect to 127.0.0.1:1", page.Find(".smtp-test-result").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TestMail_OtherHostWithAStoredPasswordAndNoneTyped_SaysSoBeforeAndUnderThePasswordAfter()
    {
        await SeedAsync();
        var page = RenderPage<SmtpSettingsPage>();
        Assert.Empty(page.FindAll(".smtp-other-server"));

        page.Find("#smtp-host").Input("mail.elsewhere.example");

        page.WaitForAssertion(() => Assert.Contains("The stored password is only used for the saved server; type the password to test another server.", page.Find(".smtp-other-server").TextContent, StringComparison.Ordinal), Wait);
        page.Find("#smtp-recipient").Input("ops@example.test");
        await SendTestMailAsync(page);

        page.WaitForAssertion(() => Assert.Contains("Correct the highlighted fields first.", page.Find(".smtp-test-result").TextContent, StringComparison.Ordinal), Wait);
        Assert.Contains("the stored password is not sent there", TextAroundPassword(page), StringComparison.Ordinal);
        Assert.Contains("Password: The server or username differs from the saved settings, so the stored password is not sent there.", page.Find(".smtp-test-errors").TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, page.Markup, StringComparison.Ordinal);
        Assert.Empty((await Service<AuditLog>().SearchAsync(new(Action: AuditActions.SmtpTestMailFailed))).Items);

        SecretInput(page).Input("typed-for-the-other-server");
        page.WaitForAssertion(() => Assert.DoesNotContain("the stored password is not sent there", TextAroundPassword(page), StringComparison.Ordinal), Wait);
        Assert.Empty(page.FindAll(".smtp-other-server"));
    }

    [Fact]
    public async Task TestMail_NoRecipientAndNoHost_ShowsTheMessagesUnderTheFields()
    {
        var page = RenderPage<SmtpSettingsPage>();

        await SendTestMailAsync(page);

        page.WaitForAssertion(() => Assert.Contains("Enter the address to send the test mail to.", TextAround(page, "#smtp-recipient"), StringComparison.Ordinal), Wait);
        Assert.Contains("Enter the SMTP server's host name", TextAround(page, "#smtp-host"), StringComparison.Ordinal);
        Assert.Contains("Host: Enter the SMTP server's host name", page.Find(".smtp-test-errors").TextContent, StringComparison.Ordinal);
        Assert.Equal(0, (await Smtp.GetAsync()).Version);
    }

    [Fact]
    public async Task TestMail_FieldEditedAfterwards_DropsThatFieldsMessageOnly()
    {
        var page = RenderPage<SmtpSettingsPage>();
        await SendTestMailAsync(page);
        page.WaitForAssertion(() => Assert.Contains("Enter the SMTP server's host name", TextAround(page, "#smtp-host"), StringComparison.Ordinal), Wait);
        Assert.Contains("Enter the address mail is sent from", TextAround(page, "#smtp-from"), StringComparison.Ordinal);
        Assert.Empty(page.FindAll(".settings-invalid"));

        page.Find("#smtp-host").Input("smtp.example.test");

        page.WaitForAssertion(() => Assert.DoesNotContain("Enter the SMTP server's host name", TextAround(page, "#smtp-host"), StringComparison.Ordinal), Wait);
        Assert.Contains("Enter the address mail is sent from", TextAround(page, "#smtp-from"), StringComparison.Ordinal);
        Assert.Contains("Enter the address to send the test mail to.", TextAround(page, "#smtp-recipient"), StringComparison.Ordinal);
        page.Find("#smtp-recipient").Input("ops@example.test");
        page.WaitForAssertion(() => Assert.DoesNotContain("Enter the address to send the test mail to.", TextAround(page, "#smtp-recipient"), StringComparison.Ordinal), Wait);
        Assert.Contains("Enter the address mail is sent from", TextAround(page, "#smtp-from"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TestMail_StoredPasswordUnreadable_SaysSoUnderThePasswordWithoutStoppingASave()
    {
        await SeedAsync();
        Sealer.Use(KeyRing.CreateNew(DateTimeOffset.UtcNow));
        var page = RenderPage<SmtpSettingsPage>();
        page.Find("#smtp-recipient").Input("ops@example.test");

        await SendTestMailAsync(page);

        page.WaitForAssertion(() => Assert.Contains("Type it to send the test.", TextAroundPassword(page), StringComparison.Ordinal), Wait);
        Assert.Empty(page.FindAll(".settings-invalid"));
        page.Find("#smtp-from-name").Input("Ops");
        await SaveAsync(page);
        page.WaitForAssertion(() => Assert.Equal(("Ops", 2L), (Smtp.GetAsync().Result.FromName, Smtp.GetAsync().Result.Version)), Wait);
        Assert.DoesNotContain(Password, page.Markup, StringComparison.Ordinal);
    }
}
