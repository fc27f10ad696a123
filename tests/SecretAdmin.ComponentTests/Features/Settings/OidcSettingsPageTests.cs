using SecretAdmin.ComponentTests.Support;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Oidc;
using SecretAdmin.Security;

namespace SecretAdmin.ComponentTests.Features.Settings;

public sealed class OidcSettingsPageTests : SettingsPageContext
{
    private const string Secret = "super-secret-value-123";
    private static readonly AuditActor Other = new("other@example.test", null);

    private Task SaveThroughServiceAsync(string? secret = Secret, long version = 0) =>
        Service<OidcSettingsService>().SaveAsync(Other, new OidcSettingsForm
        {
            Enabled = true,
            Authority = "https://login.example.test",
            ClientId = "secretadmin",
            NewClientSecret = secret,
        }, version);

    private static string Placeholder(IRenderedComponent<OidcSettingsPage> page) =>
        page.Find(".secret-input input").GetAttribute("placeholder") ?? "";

    [Fact]
    public void Render_NoSecret_PlaceholderSaysNotSet()
    {
        var page = RenderPage<OidcSettingsPage>();

        Assert.Equal("not set", Placeholder(page));
        Assert.Equal("not-set", page.Find("[data-secret-state]").GetAttribute("data-secret-state"));
    }

    [Fact]
    public async Task Render_SecretStored_PlaceholderSaysWhenAndByWhomAndNeverTheSecret()
    {
        await SaveThroughServiceAsync();

        var page = RenderPage<OidcSettingsPage>();

        Assert.Matches(@"^•••••••• set on \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC by other@example\.test$", Placeholder(page));
        Assert.Equal("", page.Find(".secret-input input").GetAttribute("value") ?? "");
        Assert.DoesNotContain(Secret, page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_SecretUnderAnotherKey_SaysItCannotBeOpenedInTheErrorColour()
    {
        await SaveThroughServiceAsync();
        Sealer.Use(KeyRing.CreateNew(DateTimeOffset.UtcNow));

        var page = RenderPage<OidcSettingsPage>();

        Assert.Equal("The stored secret cannot be opened (it does not authenticate: it was altered, copied from another place, or sealed with a different key) — enter it again", Placeholder(page));
        Assert.Contains("mud-input-error", page.Find(".secret-field").InnerHtml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Save_SecretBoxLeftEmpty_KeepsTheStoredSecret()
    {
        await SaveThroughServiceAsync();
        var page = RenderPage<OidcSettingsPage>();

        page.Find("#oidc-button-label").Input("Company sign-in");
        await page.Find("form.settings-form").SubmitAsync();

        page.WaitForAssertion(() => Assert.Equal("Company sign-in", Service<OidcSettingsService>().GetAsync().Result.ButtonLabel));
        Assert.Equal(Secret, Assert.IsType<SecretRead.PresentSecret>(await Service<OidcSettingsService>().OpenClientSecretAsync()).Value);
    }

    [Fact]
    public async Task Save_TypedSecret_ReplacesItAndEmptiesTheBox()
    {
        await SaveThroughServiceAsync();
        var page = RenderPage<OidcSettingsPage>();

        page.Find(".secret-input input").Input("a-brand-new-secret");
        await page.Find("form.settings-form").SubmitAsync();

        page.WaitForAssertion(() => Assert.Equal(2, Service<OidcSettingsService>().GetAsync().Result.Version));
        Assert.Equal("a-brand-new-secret", Assert.IsType<SecretRead.PresentSecret>(await Service<OidcSettingsService>().OpenClientSecretAsync()).Value);
        page.WaitForAssertion(() => Assert.DoesNotContain("a-brand-new-secret", page.Markup, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Save_ClearConfirmed_RemovesTheSecret()
    {
        await SaveThroughServiceAsync();
        var page = RenderPage<OidcSettingsPage>();
        page.Find(".oidc-enabled input").Change(false);

        page.FindAll("button").Single(b => b.TextContent.Trim() == "Clear").Click();
        page.WaitForAssertion(() => Assert.NotEmpty(FindDialogButton("Clear")));
        FindDialogButton("Clear").Single().Click();
        page.WaitForAssertion(() => Assert.Contains("Will be removed when you save.", page.Markup, StringComparison.Ordinal));
        await page.Find("form.settings-form").SubmitAsync();

        page.WaitForAssertion(() => Assert.IsType<SecretRead.UnsetSecret>(Service<OidcSettingsService>().OpenClientSecretAsync().Result));
    }

    [Fact]
    public async Task Save_InvalidFields_ShowsEachMessageAndSavesNothing()
    {
        var page = RenderPage<OidcSettingsPage>();

        page.Find(".oidc-enabled input").Change(true);
        page.Find("#oidc-authority").Input("http://login.example.test");
        page.Find("#oidc-scopes").Input("profile");
        await page.Find("form.settings-form").SubmitAsync();

        page.WaitForAssertion(() => Assert.Contains("The authority must use https (http is allowed only for localhost and 127.0.0.1).", page.Markup, StringComparison.Ordinal));
        Assert.Contains("The scopes must include openid.", page.Markup, StringComparison.Ordinal);
        Assert.Contains("Enter the client secret to turn single sign-on on.", page.Markup, StringComparison.Ordinal);
        Assert.Equal(0, (await Service<OidcSettingsService>().GetAsync()).Version);
    }

    [Fact]
    public async Task Save_AfterSomeoneElseSaved_SaysSoAndKeepsTheirValues()
    {
        var page = RenderPage<OidcSettingsPage>();
        await SaveThroughServiceAsync();

        page.Find("#oidc-button-label").Input("Mine");
        await page.Find("form.settings-form").SubmitAsync();

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll(".settings-conflict")));
        Assert.Equal("Single sign-on", (await Service<OidcSettingsService>().GetAsync()).ButtonLabel);
        Assert.Equal(1, (await Service<OidcSettingsService>().GetAsync()).Version);
    }

    [Fact]
    public async Task Markup_AfterSavesAndAFailedSave_NeverHoldsTheStoredSecret()
    {
        await SaveThroughServiceAsync();
        var page = RenderPage<OidcSettingsPage>();

        page.Find("#oidc-scopes").Input("profile");
        await page.Find("form.settings-form").SubmitAsync();
        page.Render();

        Assert.DoesNotContain(Secret, page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckDiscovery_NothingListening_ShowsWhyAndNeedsNoSecret()
    {
        var page = RenderPage<OidcSettingsPage>();

        page.Find("#oidc-authority").Input("http://127.0.0.1:1");
        await page.Find(".oidc-check-discovery").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Contains("Could not connect to 127.0.0.1", page.Find(".oidc-discovery-result").TextContent, StringComparison.Ordinal), TimeSpan.FromSeconds(15));
    }

    private IReadOnlyList<AngleSharp.Dom.IElement> FindDialogButton(string text) =>
        Dialogs.FindAll("button").Where(b => b.TextContent.Trim() == text).ToList();
}
