using SecretAdmin.ComponentTests.Support;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Mfa;

namespace SecretAdmin.ComponentTests.Features.Settings;

public sealed class MfaPolicyPageTests : SettingsPageContext
{
    [Fact]
    public void Render_NothingSaved_ShowsTheDefaults()
    {
        var page = RenderPage<MfaPolicyPage>();

        Assert.Equal("SecretAdmin", page.Find("#mfa-issuer").GetAttribute("value"));
        Assert.Equal("30", page.Find("#mfa-period").GetAttribute("value"));
        Assert.Equal("1", page.Find("#mfa-window").GetAttribute("value"));
    }

    [Fact]
    public async Task Save_PeriodOutOfRange_MarksTheFieldAndSavesNothing()
    {
        var page = RenderPage<MfaPolicyPage>();

        page.Find("#mfa-period").Input("5");
        await page.Find("form.settings-form").SubmitAsync();

        page.WaitForAssertion(() => Assert.Contains("The period (seconds) must be between 15 and 120.", page.Markup, StringComparison.Ordinal));
        Assert.Contains("mud-input-error", page.Find("#mfa-period").ParentElement!.ParentElement!.OuterHtml, StringComparison.Ordinal);
        Assert.Equal(0, (await Service<MfaPolicyService>().GetAsync()).Version);
    }

    [Fact]
    public async Task Save_ValidChange_SavesAndAuditsTheChangedFields()
    {
        var page = RenderPage<MfaPolicyPage>();

        page.Find("#mfa-attempts").Input("3");
        page.Find("#mfa-lockout").Input("15");
        await page.Find("form.settings-form").SubmitAsync();

        page.WaitForAssertion(() => Assert.Equal(1, Service<MfaPolicyService>().GetAsync().Result.Version));
        var policy = await Service<MfaPolicyService>().GetAsync();
        Assert.Equal((3, 15), (policy.MaxFailedAttempts, policy.LockoutMinutes));
        var entry = Assert.Single((await Service<AuditLog>().SearchAsync(new())).Items);
        Assert.Equal(("admin@example.test", "MaxFailedAttempts,LockoutMinutes"), (entry.Actor, entry.ChangedFields));
    }

    [Fact]
    public async Task Save_AfterSomeoneElseSaved_SaysSoAndOverwritesNothing()
    {
        var page = RenderPage<MfaPolicyPage>();
        await Service<MfaPolicyService>().SaveAsync(new AuditActor("other@example.test", null), new MfaPolicyForm { Digits = 8 }, 0);

        page.Find("#mfa-period").Input("60");
        await page.Find("form.settings-form").SubmitAsync();

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll(".settings-conflict")));
        var policy = await Service<MfaPolicyService>().GetAsync();
        Assert.Equal((8, 30), (policy.Digits, policy.PeriodSeconds));
    }
}
