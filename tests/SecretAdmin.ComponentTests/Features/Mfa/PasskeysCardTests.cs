using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using SecretAdmin.Access;
using SecretAdmin.ComponentTests.Support;
using SecretAdmin.Features.Account;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Mfa;
using SecretAdmin.Features.Mfa.Passkeys;
using SecretAdmin.Features.Users;
using SecretAdmin.Hosting;
using SecretAdmin.Security;

namespace SecretAdmin.ComponentTests.Features.Mfa;

/// <summary>
/// The passkeys part of the two-factor page, against the real services and SQLite file: its empty,
/// listed and required states, and removal after the owner proves it is them. (Adding one needs a
/// browser and an authenticator: it is tested end to end.)
/// </summary>
public sealed class PasskeysCardTests : MudComponentTestContext
{
    private const string Email = "ada@example.test";
    private const string Password = "Correct-Horse-42!";
    private readonly RealServices _real = new();
    private readonly string _userId;

    public PasskeysCardTests()
    {
        var auth = AddAuthorization();
        _real.AddTo(Services);
        Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(new SealingOptions()));
        Services.AddSingleton<SecretSealer>();
        Services.AddSecretAdminSettingsServices();
        Services.AddSingleton<RequiredAccountSteps>();
        RealServices.MigrateAsync(Services).GetAwaiter().GetResult();
        _real.LoadKeys(Services);
        var users = Services.GetRequiredService<UserAdminService>();
        users.CreateAsync(AuditActor.Cli, Email, Password, isAdmin: true).GetAwaiter().GetResult();
        _userId = users.SearchAsync(new("ada")).GetAwaiter().GetResult().Items.Single().Id;
        auth.SetAuthorized(Email);
        auth.SetRoles(Roles.Admin);
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, _userId), new Claim(ClaimTypes.Email, Email));
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await base.DisposeAsyncCore();
        _real.Dispose();
    }

    private PasskeyService Passkeys => Services.GetRequiredService<PasskeyService>();

    private async Task AddAsync(string name, bool synced = false) =>
        Assert.True((await Passkeys.AddAsync(AuditActor.Cli, _userId, new UserPasskeyInfo(
            RandomNumberGenerator.GetBytes(16), RandomNumberGenerator.GetBytes(77), DateTimeOffset.UtcNow, 1, ["internal"],
            isUserVerified: true, isBackupEligible: synced, isBackedUp: synced, attestationObject: [], clientDataJson: []), name)).Succeeded);

    private IRenderedComponent<Bunit.Rendering.ContainerFragment> RenderPage() => Render(builder =>
    {
        builder.OpenComponent<MudPopoverProvider>(0);
        builder.CloseComponent();
        builder.OpenComponent<MudDialogProvider>(1);
        builder.CloseComponent();
        builder.OpenComponent<MudSnackbarProvider>(2);
        builder.CloseComponent();
        builder.OpenComponent<MfaEnrollmentPage>(3);
        builder.CloseComponent();
    });

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
        Assert.Single(await Passkeys.ListAsync(_userId));
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
        Assert.Empty(await Passkeys.ListAsync(_userId));
    }
}
