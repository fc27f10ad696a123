using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using SecretAdmin.Features.Account;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Mfa;
using SecretAdmin.Features.Mfa.Passkeys;

namespace SecretAdmin.ComponentTests.Features.Mfa;

/// <summary>
/// The passkeys part of the two-factor page, against the real services and SQLite file: its empty,
/// listed and required states, and removal after the owner proves it is them. (Adding one needs a
/// browser and an authenticator: it is tested end to end.)
/// </summary>
public sealed class PasskeysCardTests : MfaPageContext
{
    private PasskeyService Passkeys => Services.GetRequiredService<PasskeyService>();

    private async Task AddAsync(string name, bool synced = false) =>
        Assert.True((await Passkeys.AddAsync(AuditActor.Cli, UserId, new UserPasskeyInfo(
            RandomNumberGenerator.GetBytes(16), RandomNumberGenerator.GetBytes(77), DateTimeOffset.UtcNow, 1, ["internal"],
            isUserVerified: true, isBackupEligible: synced, isBackedUp: synced, attestationObject: [], clientDataJson: []), name)).Succeeded);

    private IRenderedComponent<Bunit.Rendering.ContainerFragment> RenderPage() => RenderWithProviders<MfaEnrollmentPage>();

    [Fact]
    public void NoPasskeys_SaysSoAndAFirstOneNeedsNoProof()
    {
        var page = RenderPage();

        page.WaitForElement(".passkeys-empty");
        Assert.Empty(page.FindAll("#passkey-proof"));
        Assert.Empty(page.FindAll(".passkey-required"));
        var add = page.Find(".passkey-add");
        Assert.Equal(("register", AccountPaths.PasskeyCreationOptions, AccountPaths.PasskeyAdd),
            (add.GetAttribute("data-passkey"), add.GetAttribute("data-options-url"), add.GetAttribute("data-submit-url")));
    }

    [Fact]
    public async Task Listed_NameHistoryAndWhetherItSyncs_AndRecoveryCodesToMake()
    {
        await AddAsync("Work laptop");
        await AddAsync("Password manager", synced: true);

        var page = RenderPage();

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll(".passkey-item").Count));
        var items = page.FindAll(".passkey-item");
        Assert.Equal("Work laptop", items[0].QuerySelector(".passkey-name")!.TextContent.Trim());
        Assert.Contains("not used yet", items[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("on this device or key only", items[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("synced to your other devices", items[1].TextContent, StringComparison.Ordinal);
        Assert.NotNull(page.Find("#passkey-proof"));
        Assert.NotNull(page.Find(".passkey-no-recovery-codes"));
    }

    [Fact]
    public async Task PolicyRequiresAPasskey_SaysSoUntilThereIsOne()
    {
        var policy = Services.GetRequiredService<MfaPolicyService>();
        var view = await policy.GetAsync();
        var form = MfaPolicyForm.From(view);
        form.RequirePasskeyForAdmins = true;
        Assert.True((await policy.SaveAsync(AuditActor.Cli, form, view.Version)).Succeeded);

        var page = RenderPage();

        page.WaitForElement(".passkey-required");
        Assert.Empty(page.FindAll(".mfa-required"));
    }

    [Fact]
    public async Task Remove_WrongPassword_RefusedAndTheKeyStays()
    {
        await AddAsync("Work laptop");
        var page = RenderPage();
        page.WaitForElement("#passkey-proof").Input("not my password at all");

        await page.InvokeAsync(() => page.Find(".passkey-remove").Click());
        page.WaitForElement(".confirm-ok").Click();

        page.WaitForAssertion(() => Assert.Contains("neither your password nor a current code", page.Find(".passkey-error").TextContent, StringComparison.Ordinal));
        Assert.Single(await Passkeys.ListAsync(UserId));
    }

    [Fact]
    public async Task Remove_Password_RemovesItAndTheListIsEmpty()
    {
        await AddAsync("Work laptop");
        var page = RenderPage();
        page.WaitForElement("#passkey-proof").Input(Password);

        await page.InvokeAsync(() => page.Find(".passkey-remove").Click());
        page.WaitForElement(".confirm-ok").Click();

        page.WaitForElement(".passkeys-empty");
        Assert.Empty(await Passkeys.ListAsync(UserId));
    }
}
