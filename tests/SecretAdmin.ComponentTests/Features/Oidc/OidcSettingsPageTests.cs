using AngleSharp.Dom;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using SecretAdmin.ComponentTests.Support;
using SecretAdmin.Data;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Oidc;
using SecretAdmin.Security;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.ComponentTests.Features.Oidc;

/// <summary>
/// The OIDC settings page against the real service, sealer and SQLite file: what the placeholder
/// says, what a save does to the stored secret (keep, replace, clear), validation, and what the
/// page does after a save, a conflict or a discovery check, and the link-by-verified-email switch.
/// </summary>
public sealed class OidcSettingsPageTests : SettingsPageContext
{
    private const string Secret = "super-secret-value-123";
    private static readonly AuditActor Other = new("other@example.test", null);

    private OidcSettingsService Oidc => Service<OidcSettingsService>();

    [Fact]
    public void Render_NoSecret_PlaceholderSaysNotSet()
    {
        var page = RenderPage<OidcSettingsPage>();

        Assert.Equal("not set", SecretInput(page).GetAttribute("placeholder"));
        Assert.Equal("not-set", SecretState(page));
    }

    [Fact]
    public async Task Render_SecretUnreadable_TypingANewOneReplacesItAndItOpensAgain()
    {
        await SaveThroughServiceAsync();
        Sealer.Use(KeyRing.CreateNew(DateTimeOffset.UtcNow));
        var page = RenderPage<OidcSettingsPage>();
        Assert.Equal("The stored secret cannot be opened (it does not authenticate: it was altered, copied from another place, or sealed with a different key) — enter it again", SecretInput(page).GetAttribute("placeholder"));
        Assert.Equal("unreadable", SecretState(page));
        Assert.Contains("mud-input-error", page.Find(".secret-field").InnerHtml, StringComparison.Ordinal);

        SecretInput(page).Input("the-secret-entered-again");
        await SaveAsync(page);

        page.WaitForAssertion(() => Assert.Equal("set", SecretState(page)), Wait);
        Assert.Equal("the-secret-entered-again", Assert.IsType<SecretRead.PresentSecret>(await Oidc.OpenStoredClientSecretAsync()).Value);
        Assert.DoesNotContain("the-secret-entered-again", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_SecretStored_PlaceholderSaysWhenAndByWhomAndNeverTheSecret()
    {
        await SaveThroughServiceAsync();

        var page = RenderPage<OidcSettingsPage>();

        Assert.Matches(@"^•••••••• set on \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC by other@example\.test$", SecretInput(page).GetAttribute("placeholder"));
        Assert.True(string.IsNullOrEmpty(SecretInput(page).GetAttribute("value")));
        Assert.DoesNotContain(Secret, page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_Always_ShowsTheRedirectUriToRegisterWithThisAppsAddress()
    {
        var page = RenderPage<OidcSettingsPage>();

        Assert.Contains("Register http://localhost/signin-oidc at the provider", page.Markup, StringComparison.Ordinal);

        page.Find("#oidc-callback-path").Input("/auth/callback");

        page.WaitForAssertion(() => Assert.Contains("Register http://localhost/auth/callback at the provider", page.Markup, StringComparison.Ordinal), Wait);
    }

    [Fact]
    public async Task AuthorityTyped_HttpForARemoteHost_SaysWhyAtOnceWithoutSaving()
    {
        var page = RenderPage<OidcSettingsPage>();

        page.Find("#oidc-authority").Input("http://login.example.test");

        page.WaitForAssertion(() => Assert.Contains("The authority must use https (http is allowed only for localhost and 127.0.0.1).", page.Markup, StringComparison.Ordinal), Wait);
        page.Find("#oidc-authority").Input("http://127.0.0.1:8080/realms/main");
        page.WaitForAssertion(() => Assert.DoesNotContain("The authority must use https", page.Markup, StringComparison.Ordinal), Wait);
        Assert.Equal(0, (await Oidc.GetAsync()).Version);
    }

    [Fact]
    public async Task Save_Succeeded_SaysSoAndShowsTheNewPlaceholderWithAnEmptyBox()
    {
        var page = RenderPage<OidcSettingsPage>();
        page.Find("#oidc-client-id").Input("secretadmin");
        SecretInput(page).Input(Secret);

        await SaveAsync(page);

        page.WaitForAssertion(() => Assert.Equal("set", SecretState(page)), Wait);
        Assert.Matches(@"^•••••••• set on \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC by admin@example\.test$", SecretInput(page).GetAttribute("placeholder"));
        Assert.True(string.IsNullOrEmpty(SecretInput(page).GetAttribute("value")));
        Assert.Contains(Service<ISnackbar>().ShownSnackbars, s => s.Message == "OIDC settings saved." && s.Severity == Severity.Success);
        Assert.Equal(Secret, Assert.IsType<SecretRead.PresentSecret>(await Oidc.OpenStoredClientSecretAsync()).Value);
        Assert.DoesNotContain(Secret, page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Save_SecretBoxLeftEmpty_KeepsTheStoredSecret()
    {
        await SaveThroughServiceAsync();
        var page = RenderPage<OidcSettingsPage>();

        page.Find("#oidc-button-label").Input("Company sign-in");
        await SaveAsync(page);

        page.WaitForAssertion(() => Assert.Equal("Company sign-in", Oidc.GetAsync().Result.ButtonLabel), Wait);
        Assert.Equal(Secret, Assert.IsType<SecretRead.PresentSecret>(await Oidc.OpenStoredClientSecretAsync()).Value);
    }

    [Fact]
    public void ButtonLabel_Typed_TheHintShowsTheButtonTextItMakes()
    {
        var page = RenderPage<OidcSettingsPage>();

        page.Find("#oidc-button-label").Input("Contoso");

        page.WaitForAssertion(() => Assert.Contains("The sign-in page shows “Sign in with Contoso”.", TextAround(page, "#oidc-button-label"), StringComparison.Ordinal), Wait);
        Assert.Equal("Contoso", page.Find("#oidc-button-label").GetAttribute("placeholder"));
    }

    [Fact]
    public async Task Save_ButtonLabelTypedAsTheWholeText_StoresTheNameAndNeverDoublesSignInWith()
    {
        var page = RenderPage<OidcSettingsPage>();

        page.Find("#oidc-button-label").Input("Sign in with Contoso");

        page.WaitForAssertion(() => Assert.Contains("The sign-in page shows “Sign in with Contoso”.", TextAround(page, "#oidc-button-label"), StringComparison.Ordinal), Wait);
        await SaveAsync(page);
        page.WaitForAssertion(() => Assert.Equal("Contoso", Oidc.GetAsync().Result.ButtonLabel), Wait);
        Assert.DoesNotContain("Sign in with Sign in with", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Save_TypedSecret_ReplacesItAndEmptiesTheBox()
    {
        await SaveThroughServiceAsync();
        var page = RenderPage<OidcSettingsPage>();
        Assert.Contains("by other@example.test", SecretInput(page).GetAttribute("placeholder"), StringComparison.Ordinal);

        SecretInput(page).Input("a-brand-new-secret");
        await SaveAsync(page);

        page.WaitForAssertion(() => Assert.Contains("by admin@example.test", SecretInput(page).GetAttribute("placeholder"), StringComparison.Ordinal), Wait);
        Assert.True(string.IsNullOrEmpty(SecretInput(page).GetAttribute("value")));
        Assert.Equal(2, (await Oidc.GetAsync()).Version);
        Assert.Equal("a-brand-new-secret", Assert.IsType<SecretRead.PresentSecret>(await Oidc.OpenStoredClientSecretAsync()).Value);
        Assert.DoesNotContain("a-brand-new-secret", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Save_AfterClear_ForgetsTheClearFlagAndSaysNotSet()
    {
        await SaveThroughServiceAsync(enabled: false);
        var page = RenderPage<OidcSettingsPage>();
        // Click, not ClickAsync: the handler waits for the confirmation, answered below.
        page.FindAll(".secret-field button").Single(b => b.TextContent.Trim() == "Clear").Click();
        Confirm("Clear");
        page.WaitForAssertion(() => Assert.Contains("Will be removed when you save.", page.Markup, StringComparison.Ordinal), Wait);

        await SaveAsync(page);

        page.WaitForAssertion(() => Assert.Equal("not set", SecretInput(page).GetAttribute("placeholder")), Wait);
        Assert.DoesNotContain("Will be removed when you save.", page.Markup, StringComparison.Ordinal);
        Assert.False(SecretInput(page).HasAttribute("disabled"));
        Assert.IsType<SecretRead.UnsetSecret>(await Oidc.OpenStoredClientSecretAsync());
    }

    [Fact]
    public async Task Save_LinkByVerifiedEmailSwitchedOn_StoresItAuditsItsNameAndKeepsItOn()
    {
        var page = RenderPage<OidcSettingsPage>();
        Assert.False(page.Find(".oidc-link-by-email input").IsChecked());
        Assert.Contains("Turn on only when your provider verifies emails", page.Find(".oidc-link-by-email-help").TextContent, StringComparison.Ordinal);

        page.Find(".oidc-link-by-email input").Change(true);
        await SaveAsync(page);

        page.WaitForAssertion(() => Assert.Equal(1, Oidc.GetAsync().Result.Version), Wait);
        var view = await Oidc.GetAsync();
        Assert.Equal((true, false), (view.LinkByVerifiedEmail, view.CreateUnknownUsers));
        var entry = Assert.Single((await Service<AuditLog>().SearchAsync(new())).Items);
        Assert.Equal((AuditActions.OidcSettingsChanged, "LinkByVerifiedEmail"), (entry.Action, entry.ChangedFields));
        page.WaitForAssertion(() => Assert.True(page.Find(".oidc-link-by-email input").IsChecked()), Wait);
    }

    [Fact]
    public async Task Save_InvalidFields_ShowsEachMessageAndSavesNothing()
    {
        var page = RenderPage<OidcSettingsPage>();

        page.Find(".oidc-enabled input").Change(true);
        page.Find("#oidc-authority").Input("http://login.example.test");
        page.Find("#oidc-scopes").Input("profile");
        await SaveAsync(page);

        page.WaitForAssertion(() => Assert.Contains("The authority must use https (http is allowed only for localhost and 127.0.0.1).", page.Markup, StringComparison.Ordinal), Wait);
        Assert.Contains("The scopes must include openid.", page.Markup, StringComparison.Ordinal);
        Assert.Contains("Enter the client secret to turn single sign-on on.", page.Markup, StringComparison.Ordinal);
        Assert.Equal(0, (await Oidc.GetAsync()).Version);
    }

    [Fact]
    public async Task Save_StoredSecretStopsOpeningAfterThePageLoaded_ShowsTheServicesMessageOnTheSecretUntilOneIsTyped()
    {
        await SaveThroughServiceAsync();
        await using (var db = await Service<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync())
        {
            // Switched on as a provider that answers would allow; this authority does not answer here.
            await db.Database.ExecuteSqlRawAsync("UPDATE \"OidcSettings\" SET \"Enabled\" = 1");
        }

        var page = RenderPage<OidcSettingsPage>();
        Assert.Equal("set", SecretState(page));
        // The page checked against a secret that opened; the service checks against the stored one, which no longer does.
        Sealer.Use(KeyRing.CreateNew(DateTimeOffset.UtcNow));

        page.Find("#oidc-button-label").Input("Company sign-in");
        await SaveAsync(page);

        page.WaitForAssertion(() => Assert.Contains("The stored client secret cannot be opened; enter it again to turn single sign-on on.", SecretInput(page).Closest(".secret-field")!.TextContent, StringComparison.Ordinal), Wait);
        Assert.NotEmpty(page.FindAll(".settings-invalid"));
        Assert.Equal(("Single sign-on", 1L), ((await Oidc.GetAsync()).ButtonLabel, (await Oidc.GetAsync()).Version));

        SecretInput(page).Input("the-secret-entered-again");

        page.WaitForAssertion(() => Assert.DoesNotContain("The stored client secret cannot be opened", page.Markup, StringComparison.Ordinal), Wait);
        Assert.Empty(page.FindAll(".settings-invalid"));
    }

    [Fact]
    public async Task Reload_AfterAConflictConfirmed_ShowsTheOtherSaveAndDropsTheEdits()
    {
        var page = RenderPage<OidcSettingsPage>();
        await SaveThroughServiceAsync(label: "Their sign-in");
        page.Find("#oidc-button-label").Input("Mine");
        SecretInput(page).Input("my-typed-secret");
        await SaveAsync(page);
        page.WaitForAssertion(() => Assert.Contains("Someone else saved these settings", page.Find(".settings-conflict").TextContent, StringComparison.Ordinal), Wait);
        Assert.Contains("mud-alert-text-warning", page.Find(".settings-conflict").ClassName, StringComparison.Ordinal);
        Assert.Equal(("Their sign-in", 1L), ((await Oidc.GetAsync()).ButtonLabel, (await Oidc.GetAsync()).Version));

        page.Find(".settings-reload").Click();
        Confirm("Reload");

        page.WaitForAssertion(() => Assert.Empty(page.FindAll(".settings-conflict")), Wait);
        Assert.Equal("Their sign-in", page.Find("#oidc-button-label").GetAttribute("value"));
        Assert.True(string.IsNullOrEmpty(SecretInput(page).GetAttribute("value")));
        Assert.Contains("by other@example.test", SecretInput(page).GetAttribute("placeholder"), StringComparison.Ordinal);
        Assert.Equal(Secret, Assert.IsType<SecretRead.PresentSecret>(await Oidc.OpenStoredClientSecretAsync()).Value);
        Assert.Equal(1, (await Oidc.GetAsync()).Version);
    }

    [Fact]
    public async Task Markup_WithASecretStored_NeverHoldsItThroughEditsRendersAndAnInvalidSave()
    {
        await SaveThroughServiceAsync();
        var page = RenderPage<OidcSettingsPage>();
        Assert.DoesNotContain(Secret, page.Markup, StringComparison.Ordinal);

        page.Find("#oidc-authority").Input("http://login.example.test");
        page.Render();
        Assert.DoesNotContain(Secret, page.Markup, StringComparison.Ordinal);

        await SaveAsync(page);
        page.WaitForAssertion(() => Assert.Contains("The authority must use https", page.Markup, StringComparison.Ordinal), Wait);

        Assert.DoesNotContain(Secret, page.Markup, StringComparison.Ordinal);
        Assert.Equal(1, (await Oidc.GetAsync()).Version);
    }

    [Fact]
    public async Task CheckDiscovery_AuthorityChangedAfterwards_DropsTheOldResult()
    {
        var page = RenderPage<OidcSettingsPage>();
        page.Find("#oidc-authority").Input("https://127.0.0.1:1");

        await page.ClickAsync(".oidc-check-discovery");

        page.WaitForAssertion(() => Assert.Contains("Could not connect to 127.0.0.1", page.Find(".oidc-discovery-result").TextContent, StringComparison.Ordinal), TimeSpan.FromSeconds(15));
        Assert.Contains("mud-alert-text-error", page.Find(".oidc-discovery-result").ClassName, StringComparison.Ordinal);
        page.Find("#oidc-authority").Input("https://127.0.0.1:2");
        page.WaitForAssertion(() => Assert.Empty(page.FindAll(".oidc-discovery-result")), Wait);
    }

    [Fact]
    public void TestSignIn_IsItsOwnFormOpeningANewTab_AndWaitsForUnsavedChanges()
    {
        var page = RenderPage<OidcSettingsPage>();

        var form = page.Find("form.oidc-test-sign-in-form");
        Assert.Equal(("post", "/settings/oidc/test-sign-in", "_blank"), (form.GetAttribute("method"), form.GetAttribute("action"), form.GetAttribute("target")));
        Assert.Null(form.ParentElement!.Closest("form"));
        Assert.False(page.Find(".oidc-test-sign-in-start").HasAttribute("disabled"));

        page.Find("#oidc-client-id").Input("changed-but-not-saved");

        page.WaitForAssertion(() => Assert.True(page.Find(".oidc-test-sign-in-start").HasAttribute("disabled")), Wait);
        Assert.Contains("Save or reload first", page.Find(".oidc-test-sign-in").TextContent, StringComparison.Ordinal);
    }

    /// <summary>
    /// Stores settings with <see cref="Secret"/> as another admin, as version 1 — switched off:
    /// switching on checks the provider, and this authority does not answer here.
    /// </summary>
    private Task SaveThroughServiceAsync(string label = "Single sign-on", bool enabled = false) =>
        Oidc.SaveAsync(Other, new OidcSettingsForm
        {
            Enabled = enabled,
            ButtonLabel = label,
            Authority = "https://login.example.test",
            ClientId = "secretadmin",
            NewClientSecret = Secret,
        }, 0);
}
