using AngleSharp.Dom;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using SecretAdmin.ComponentTests.Support;
using SecretAdmin.Data;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Mfa;
using SecretAdmin.Features.Settings;
using SecretAdmin.Features.Mfa.Totp;

namespace SecretAdmin.ComponentTests.Features.Mfa;

/// <summary>The MFA policy page against the real service, audit log and SQLite file.</summary>
public sealed class MfaPolicyPageTests : SettingsPageContext
{
    private MfaPolicyService Policy => Service<MfaPolicyService>();

    private static IElement Radio(IRenderedComponent<MfaPolicyPage> page, string label) =>
        page.FindAll(".mfa-digits label").Single(l => l.TextContent.Trim() == label).QuerySelector("input")!;

    [Fact]
    public void Render_NothingSaved_ShowsTheDefaultsAndTheEnrollmentNote()
    {
        var page = RenderPage<MfaPolicyPage>();

        Assert.Equal("SecretAdmin", page.Find("#mfa-issuer").GetAttribute("value"));
        Assert.True(Radio(page, "6 digits").IsChecked());
        Assert.False(Radio(page, "8 digits").IsChecked());
        Assert.Contains("SHA1", page.Find(".mfa-algorithm").TextContent, StringComparison.Ordinal);
        Assert.Equal("30", page.Find("#mfa-period").GetAttribute("value"));
        Assert.Equal("1", page.Find("#mfa-window").GetAttribute("value"));
        Assert.Equal("5", page.Find("#mfa-attempts").GetAttribute("value"));
        Assert.Equal("5", page.Find("#mfa-lockout").GetAttribute("value"));
        Assert.False(page.Find(".mfa-require-admins input").IsChecked());
        Assert.False(page.Find(".mfa-require-all input").IsChecked());
        Assert.Contains("keep the digits, period and algorithm they were made with", page.Find(".mfa-enrollments-note").TextContent, StringComparison.Ordinal);
        Assert.Contains("keep SHA1 unless you know your users' apps", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Save_PeriodAndWindowOutOfRange_ShowsBothMessagesUnderTheFieldsAndSavesNothing()
    {
        var page = RenderPage<MfaPolicyPage>();

        page.Find("#mfa-period").Input("5");
        await page.Find("#mfa-period").BlurAsync(new());
        page.Find("#mfa-window").Input("3");
        await page.Find("#mfa-window").BlurAsync(new());
        await SaveAsync(page);

        page.WaitForAssertion(() => Assert.Contains("The period (seconds) must be between 15 and 120.", TextAround(page, "#mfa-period"), StringComparison.Ordinal), Wait);
        Assert.Contains("mud-input-error", page.Find("#mfa-period").ParentElement!.ParentElement!.OuterHtml, StringComparison.Ordinal);
        Assert.Contains("The verification window (steps) must be between 0 and 2.", TextAround(page, "#mfa-window"), StringComparison.Ordinal);
        Assert.NotEmpty(page.FindAll(".settings-invalid"));
        Assert.Equal(0, (await Policy.GetAsync()).Version);
        Assert.Empty((await Service<AuditLog>().SearchAsync(new())).Items);
    }

    [Fact]
    public async Task Save_StoredDigitsNeitherSixNorEight_SaysSoUnderTheDigitsAndSavesNothing()
    {
        // A row edited outside the app: the page must not save it back unnoticed.
        await using (var db = await Service<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync())
        {
            db.MfaPolicy.Add(new MfaPolicy { Digits = 7, Version = 3 });
            await db.SaveChangesAsync();
        }

        var page = RenderPage<MfaPolicyPage>();
        page.Find("#mfa-lockout").Input("10");
        await SaveAsync(page);

        page.WaitForAssertion(() => Assert.Contains("Codes have 6 or 8 digits.", page.Find(".mfa-digits").TextContent, StringComparison.Ordinal), Wait);
        Assert.Equal((3L, 5), ((await Policy.GetAsync()).Version, (await Policy.GetAsync()).LockoutMinutes));

        Radio(page, "8 digits").Click();
        page.WaitForAssertion(() => Assert.DoesNotContain("Codes have 6 or 8 digits.", page.Markup, StringComparison.Ordinal), Wait);
    }

    [Fact]
    public async Task DigitsLabel_MessageShownAndGone_TurnsRedAndBack()
    {
        await using (var db = await Service<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync())
        {
            db.MfaPolicy.Add(new MfaPolicy { Digits = 7, Version = 3 });
            await db.SaveChangesAsync();
        }

        var page = RenderPage<MfaPolicyPage>();
        Assert.Contains("mud-secondary-text", page.Find("#mfa-digits-label").ClassName, StringComparison.Ordinal);

        await SaveAsync(page);
        page.WaitForAssertion(() => Assert.Contains("mud-error-text", page.Find("#mfa-digits-label").ClassName, StringComparison.Ordinal), Wait);

        Radio(page, "6 digits").Click();
        page.WaitForAssertion(() => Assert.Contains("mud-secondary-text", page.Find("#mfa-digits-label").ClassName, StringComparison.Ordinal), Wait);
        Assert.Empty(page.FindAll(".settings-invalid"));
    }

    [Fact]
    public async Task IssuerCleared_ShowsOnlyTheIssuersMessageAndGoesWhenTyped()
    {
        var page = RenderPage<MfaPolicyPage>();

        page.Find("#mfa-issuer").Input("");

        page.WaitForAssertion(() => Assert.Contains("Enter the issuer name authenticator apps show", TextAround(page, "#mfa-issuer"), StringComparison.Ordinal), Wait);
        Assert.Contains("mud-input-error", page.Find("#mfa-issuer").ParentElement!.ParentElement!.OuterHtml, StringComparison.Ordinal);
        Assert.Single(page.FindAll(".mud-input-control"), c => c.ClassList.Contains("mud-input-error") || c.QuerySelector(".mud-input-error") is not null);
        page.Find("#mfa-issuer").Input("Contoso");
        page.WaitForAssertion(() => Assert.Empty(page.FindAll(".mud-input-error")), Wait);
        Assert.Empty(page.FindAll(".settings-invalid"));
    }

    [Fact]
    public async Task Save_ValidChanges_StoresThemAndAuditsTheChangedFieldNames()
    {
        var page = RenderPage<MfaPolicyPage>();

        Radio(page, "8 digits").Click();
        page.Find("#mfa-period").Input("60");
        page.Find(".mfa-require-all input").Change(true);
        page.Find("#mfa-attempts").Input("3");
        await SaveAsync(page);

        page.WaitForAssertion(() => Assert.Equal(1, Policy.GetAsync().Result.Version), Wait);
        var policy = await Policy.GetAsync();
        Assert.Equal((8, 60, true, 3), (policy.Digits, policy.PeriodSeconds, policy.RequireForAllUsers, policy.MaxFailedAttempts));
        Assert.Equal((1, TotpAlgorithm.Sha1, "admin@example.test"), (policy.WindowSteps, policy.Algorithm, policy.UpdatedBy));
        var entry = Assert.Single((await Service<AuditLog>().SearchAsync(new())).Items);
        Assert.Equal((AuditActions.MfaPolicyChanged, "admin@example.test", "Digits,PeriodSeconds,RequireForAllUsers,MaxFailedAttempts"), (entry.Action, entry.Actor, entry.ChangedFields));
        Assert.Contains(Service<ISnackbar>().ShownSnackbars, s => s.Message == "MFA policy saved." && s.Severity == Severity.Success);
    }

    [Fact]
    public async Task Save_RequireTotpAfterSsoSwitchedOn_StoresItAndAuditsItsName()
    {
        var page = RenderPage<MfaPolicyPage>();
        Assert.False(page.Find(".mfa-require-totp-after-sso input").IsChecked());
        Assert.Contains("the provider is trusted to have done MFA", page.Find(".mfa-require-totp-after-sso-help").TextContent, StringComparison.Ordinal);

        page.Find(".mfa-require-totp-after-sso input").Change(true);
        await SaveAsync(page);

        page.WaitForAssertion(() => Assert.Equal(1, Policy.GetAsync().Result.Version), Wait);
        var policy = await Policy.GetAsync();
        Assert.Equal((true, false, false), (policy.RequireTotpAfterSso, policy.RequireForAdmins, policy.RequireForAllUsers));
        var entry = Assert.Single((await Service<AuditLog>().SearchAsync(new())).Items);
        Assert.Equal((AuditActions.MfaPolicyChanged, "RequireTotpAfterSso"), (entry.Action, entry.ChangedFields));
        page.WaitForAssertion(() => Assert.True(page.Find(".mfa-require-totp-after-sso input").IsChecked()), Wait);
    }

    [Fact]
    public async Task Save_PasskeysRequiredForEveryone_AlsoShowsAdministratorsOnAndSavesIt()
    {
        var page = RenderPage<MfaPolicyPage>();
        Assert.False(page.Find(".mfa-require-passkey-admins input").IsChecked());

        page.Find(".mfa-require-passkey-all input").Change(true);
        page.Find(".mfa-refuse-synced-passkeys input").Change(true);
        await SaveAsync(page);

        page.WaitForAssertion(() => Assert.Equal(1, Policy.GetAsync().Result.Version), Wait);
        var policy = await Policy.GetAsync();
        Assert.Equal((false, true, true), (policy.RequirePasskeyForAdmins, policy.RequirePasskeyForAllUsers, policy.RefuseSyncedPasskeysForAdmins));
        Assert.True(policy.RequiresPasskey(isAdmin: false) && policy.RequiresMfa(isAdmin: false));
        page.WaitForAssertion(() => Assert.True(page.Find(".mfa-require-passkey-admins input").IsChecked()), Wait);
        Assert.True(page.Find(".mfa-require-passkey-admins input").HasAttribute("disabled"));
        var entry = Assert.Single((await Service<AuditLog>().SearchAsync(new())).Items);
        Assert.Equal("RequirePasskeyForAllUsers,RefuseSyncedPasskeysForAdmins", entry.ChangedFields);
    }

    [Fact]
    public async Task Render_RequireTotpAfterSsoStored_ShowsTheSwitchOnAndSwitchingOffSavesOff()
    {
        await Policy.SaveAsync(new AuditActor("other@example.test", null), new MfaPolicyForm { RequireTotpAfterSso = true }, 0);
        var page = RenderPage<MfaPolicyPage>();
        Assert.True(page.Find(".mfa-require-totp-after-sso input").IsChecked());

        page.Find(".mfa-require-totp-after-sso input").Change(false);
        await SaveAsync(page);

        page.WaitForAssertion(() => Assert.Equal(2, Policy.GetAsync().Result.Version), Wait);
        Assert.False((await Policy.GetAsync()).RequireTotpAfterSso);
    }

    [Fact]
    public async Task Save_AlgorithmChosen_StoresIt()
    {
        var page = RenderPage<MfaPolicyPage>();

        page.Find(".mfa-algorithm .mud-select-input").MouseDown();
        var popovers = Popovers;
        popovers.WaitForAssertion(() => Assert.Contains(popovers.FindAll(".mud-popover-open .mud-list-item"), i => i.TextContent.Trim() == "SHA256"), Wait);
        popovers.FindAll(".mud-popover-open .mud-list-item").Single(i => i.TextContent.Trim() == "SHA256").Click();
        await SaveAsync(page);

        page.WaitForAssertion(() => Assert.Equal(TotpAlgorithm.Sha256, Policy.GetAsync().Result.Algorithm), Wait);
        Assert.Equal("Algorithm", Assert.Single((await Service<AuditLog>().SearchAsync(new())).Items).ChangedFields);
    }

    [Fact]
    public void RequireForAllUsers_On_ShowsAdministratorsOnAndLockedWithWhy()
    {
        var page = RenderPage<MfaPolicyPage>();
        Assert.Contains("this includes administrators", page.Find(".mfa-require-all-help").TextContent, StringComparison.Ordinal);

        page.Find(".mfa-require-all input").Change(true);

        page.WaitForAssertion(() => Assert.True(page.Find(".mfa-require-admins input").IsChecked()), Wait);
        Assert.True(page.Find(".mfa-require-admins input").IsDisabled());
        Assert.Equal("On, because everyone must use MFA.", page.Find(".mfa-require-admins-help").TextContent.Trim());
    }

    [Fact]
    public async Task Save_AfterSomeoneElseSaved_SaysSoOverwritesNothingAndReloadsTheirs()
    {
        var page = RenderPage<MfaPolicyPage>();
        await Policy.SaveAsync(new AuditActor("other@example.test", null), new MfaPolicyForm { Digits = 8 }, 0);

        page.Find("#mfa-period").Input("60");
        await SaveAsync(page);

        page.WaitForAssertion(() => Assert.Contains(SettingsSaveResult.ConflictMessage, page.Find(".settings-conflict").TextContent, StringComparison.Ordinal), Wait);
        var policy = await Policy.GetAsync();
        Assert.Equal((8, 30, 1L), (policy.Digits, policy.PeriodSeconds, policy.Version));

        page.Find(".settings-reload").Click();
        Confirm("Reload");

        page.WaitForAssertion(() => Assert.True(Radio(page, "8 digits").IsChecked()), Wait);
        Assert.Equal("30", page.Find("#mfa-period").GetAttribute("value"));
        Assert.Empty(page.FindAll(".settings-conflict"));
    }

    [Fact]
    public async Task Reload_AfterAConflictWithNothingEdited_ShowsTheirsWithoutAsking()
    {
        var page = RenderPage<MfaPolicyPage>();
        await Policy.SaveAsync(new AuditActor("other@example.test", null), new MfaPolicyForm { Digits = 8 }, 0);
        await SaveAsync(page);
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll(".settings-conflict")), Wait);

        page.Find(".settings-reload").Click();

        page.WaitForAssertion(() => Assert.True(Radio(page, "8 digits").IsChecked()), Wait);
        Assert.Empty(page.FindAll(".settings-conflict"));
        Assert.Empty(Dialogs.FindAll("button"));
    }
}
