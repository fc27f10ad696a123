using SecretAdmin.ComponentTests.Support;
using SecretAdmin.Features.Account;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Mfa;

namespace SecretAdmin.ComponentTests.Features.Account;

/// <summary>The lockout page says how long signing in is paused, as the MFA policy stored on the SQLite file says.</summary>
public sealed class LockoutPageTests : SettingsPageContext
{
    private async Task SetLockoutMinutesAsync(int minutes)
    {
        var policy = Service<MfaPolicyService>();
        var view = await policy.GetAsync();
        var form = MfaPolicyForm.From(view);
        form.LockoutMinutes = minutes;
        var saved = await policy.SaveAsync(AuditActor.Cli, form, view.Version);
        Assert.True(saved.Succeeded, saved.Message);
    }

    [Theory]
    [InlineData(15, "paused for 15 minutes")]
    [InlineData(1, "paused for 1 minute.")]
    public async Task Render_PolicyMinutes_SaysThemInsteadOfAFewMinutes(int minutes, string expected)
    {
        await SetLockoutMinutesAsync(minutes);

        var page = Render<LockoutPage>();

        page.WaitForAssertion(() => Assert.Contains(expected, page.Find(".lockout-message").TextContent, StringComparison.Ordinal), Wait);
        Assert.DoesNotContain("a few minutes", page.Markup, StringComparison.Ordinal);
        Assert.Contains("ask an administrator to unlock the account", page.Markup, StringComparison.Ordinal);
    }
}
