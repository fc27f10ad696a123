using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using SecretAdmin.ComponentTests.Support;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Mfa;
using SecretAdmin.Features.Mfa.Totp;

namespace SecretAdmin.ComponentTests.Features.Mfa;

/// <summary>The enrollment page against the real services, sealer and SQLite file; codes computed here with Otp.NET.</summary>
public sealed class MfaEnrollmentPageTests : MfaPageContext
{
    private MfaEnrollmentService Mfa => Services.GetRequiredService<MfaEnrollmentService>();

    private static string CodeFor(string manualKey, long stepOffset = 0) =>
        new OtpNet.Totp(OtpNet.Base32Encoding.ToBytes(manualKey.Replace(" ", "", StringComparison.Ordinal)))
            .ComputeTotp(DateTime.UtcNow.AddSeconds(30 * stepOffset));

    private async Task RequireForAdminsAsync()
    {
        var policy = Services.GetRequiredService<MfaPolicyService>();
        var view = await policy.GetAsync();
        var form = MfaPolicyForm.From(view);
        form.RequireForAdmins = true;
        Assert.True((await policy.SaveAsync(AuditActor.Cli, form, view.Version)).Succeeded);
    }

    /// <summary>Enrolled through the service; gives the manual key so the test can make later codes.</summary>
    private async Task<string> EnrollAsync()
    {
        var offer = await Mfa.OfferAsync(UserId);
        Assert.True((await Mfa.ConfirmAsync(AuditActor.Cli, UserId, offer, CodeFor(offer.ManualKey, -1))).Succeeded);
        return offer.ManualKey;
    }

    private IRenderedComponent<MfaEnrollmentPage> RenderAt(string address)
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo(address);
        return Render<MfaEnrollmentPage>();
    }

    private static async Task EnrollOnThePageAsync(IRenderedComponent<MfaEnrollmentPage> page)
    {
        page.WaitForElement(".mfa-start").Click();
        var key = page.WaitForElement(".mfa-manual-key").TextContent.Trim();
        page.Find("#mfa-confirm-code").Input(CodeFor(key));
        await page.Find("form").SubmitAsync();
        page.WaitForAssertion(() => Assert.Equal(10, page.FindAll(".mfa-recovery-codes li").Count));
    }

    [Fact]
    public void Start_NotEnrolled_ShowsAQrCodeAndTheKeyInGroups()
    {
        var page = Render<MfaEnrollmentPage>();

        page.WaitForElement(".mfa-start").Click();

        page.WaitForAssertion(() => Assert.NotNull(page.Find(".mfa-qr svg")));
        Assert.Matches("^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$", page.Find(".mfa-manual-key").TextContent.Trim());
        Assert.Equal("6-digit codes every 30 seconds, SHA1", page.Find(".mfa-offer-parameters").TextContent.Trim());
    }

    [Fact]
    public async Task Confirm_WrongCode_SaysSoAndEnablesNothing()
    {
        var page = Render<MfaEnrollmentPage>();
        page.WaitForElement(".mfa-start").Click();
        page.WaitForElement("#mfa-confirm-code").Input("000000");

        await page.Find("form").SubmitAsync();

        page.WaitForAssertion(() => Assert.Contains("That code does not match", page.Markup, StringComparison.Ordinal));
        Assert.False((await Mfa.GetStatusAsync(UserId)).Enrolled);
    }

    [Fact]
    public async Task Confirm_WrongCode_KeyAndCodeStayInTheColumnBesideTheQrCode()
    {
        var page = Render<MfaEnrollmentPage>();
        page.WaitForElement(".mfa-start").Click();
        page.WaitForElement("#mfa-confirm-code").Input("000000");

        await page.Find("form").SubmitAsync();

        page.WaitForAssertion(() => Assert.Contains("That code does not match", page.Markup, StringComparison.Ordinal));
        // Two columns (app.css): the QR code, and one column that holds the key, the code field and its message.
        var columns = page.Find(".mfa-enroll").Children;
        Assert.Equal(["mfa-qr", "mfa-enroll-details"], columns.Select(c => c.ClassList.First()));
        Assert.NotNull(columns[1].QuerySelector(".mfa-manual-key"));
        Assert.NotNull(columns[1].QuerySelector("#mfa-confirm-code"));
        Assert.Contains("That code does not match", columns[1].TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RecoveryCodes_CopyAndDownload_HandTheTenCodesToTheBrowserOnly()
    {
        var module = JSInterop.SetupModule(MfaEnrollmentPage.RecoveryCodesModule);
        module.Setup<bool>("copyText", _ => true).SetResult(true);
        module.SetupVoid("downloadText", _ => true).SetVoidResult();
        var page = Render<MfaEnrollmentPage>();
        Render<MudBlazor.MudSnackbarProvider>();
        await EnrollOnThePageAsync(page);
        var codes = page.FindAll(".mfa-recovery-codes code").Select(c => c.TextContent.Trim()).ToArray();

        await page.ClickAsync(".mfa-codes-copy");
        await page.ClickAsync(".mfa-codes-download");

        var copied = (string)Assert.Single(module.Invocations["copyText"]).Arguments[0]!;
        Assert.Equal(codes, copied.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var download = Assert.Single(module.Invocations["downloadText"]).Arguments;
        Assert.Equal("secretadmin-recovery-codes.txt", download[0]);
        Assert.Contains(codes[0], (string)download[1]!, StringComparison.Ordinal);
        Assert.Equal(codes, ((string)download[1]!).Split('\n').Where(line => codes.Contains(line)));
        Assert.Contains(Services.GetRequiredService<MudBlazor.ISnackbar>().ShownSnackbars, s => s.Message == "Recovery codes copied.");
        Assert.All(codes, c => Assert.DoesNotContain(c, page.Find(".mfa-codes-download").GetAttribute("href") ?? "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Confirm_RightCode_ShowsTenRecoveryCodesOnceThenTheStatus()
    {
        var page = Render<MfaEnrollmentPage>();
        page.WaitForElement(".mfa-start").Click();
        var key = page.WaitForElement(".mfa-manual-key").TextContent.Trim();
        page.Find("#mfa-confirm-code").Input(CodeFor(key));

        await page.Find("form").SubmitAsync();

        page.WaitForAssertion(() => Assert.Equal(10, page.FindAll(".mfa-recovery-codes li").Count));
        var codes = page.FindAll(".mfa-recovery-codes code").Select(c => c.TextContent).ToArray();
        page.Find(".mfa-codes-saved").Click();
        page.WaitForAssertion(() => Assert.Contains("10 of 10 recovery codes left.", page.Find(".mfa-recovery-count").TextContent, StringComparison.Ordinal));
        Assert.DoesNotContain(key.Replace(" ", "", StringComparison.Ordinal), page.Markup.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.All(codes, c => Assert.DoesNotContain(c, page.Markup, StringComparison.Ordinal));
        Assert.True((await Mfa.GetStatusAsync(UserId)).Enrolled);
    }

    [Fact]
    public async Task Render_RequiredAndNotEnrolled_SaysSoAndReturnsToTheAskedPageOnceEnrolled()
    {
        await RequireForAdminsAsync();
        var page = RenderAt("/account/mfa?returnUrl=%2Fadmin%2Fusers");
        page.WaitForAssertion(() => Assert.Contains("requires two-factor sign-in for your account", page.Find(".mfa-required").TextContent, StringComparison.Ordinal));

        await EnrollOnThePageAsync(page);
        page.Find(".mfa-codes-saved").Click();

        Assert.Equal("http://localhost/admin/users", Services.GetRequiredService<NavigationManager>().Uri);
    }

    [Fact]
    public async Task Render_RequiredWithAForeignReturnUrl_GoesHomeInstead()
    {
        await RequireForAdminsAsync();
        var page = RenderAt("/account/mfa?returnUrl=https%3A%2F%2Fevil.example%2F");

        await EnrollOnThePageAsync(page);
        page.Find(".mfa-codes-saved").Click();

        Assert.Equal("http://localhost/", Services.GetRequiredService<NavigationManager>().Uri);
    }

    [Fact]
    public async Task Change_WithoutProof_ChangesNothingAndAsksForIt()
    {
        await EnrollAsync();
        var page = Render<MfaEnrollmentPage>();

        await page.WaitForElement(".mfa-disable").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Contains("Enter your password or the code your app shows now.", page.Markup, StringComparison.Ordinal));
        Assert.True((await Mfa.GetStatusAsync(UserId)).Enrolled);
    }

    [Fact]
    public async Task Change_WrongPassword_SaysSoAndKeepsTheRecoveryCodes()
    {
        await EnrollAsync();
        var page = Render<MfaEnrollmentPage>();
        page.WaitForElement("#mfa-reauth").Input("not-my-password");

        await page.Find(".mfa-regenerate").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Contains("That is neither your password nor a current code from your app.", page.Markup, StringComparison.Ordinal));
        Assert.Empty(page.FindAll(".mfa-recovery-codes"));
        Assert.Equal(10, await Mfa.CountUnusedRecoveryCodesAsync(UserId));
        Assert.True(string.IsNullOrEmpty(page.Find("#mfa-reauth").GetAttribute("value")));
    }

    [Fact]
    public async Task Regenerate_WithACurrentCode_ShowsTenNewCodes()
    {
        var key = await EnrollAsync();
        var page = Render<MfaEnrollmentPage>();
        page.WaitForElement("#mfa-reauth").Input(CodeFor(key));

        await page.Find(".mfa-regenerate").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Equal(10, page.FindAll(".mfa-recovery-codes li").Count));
        Assert.True(await Mfa.RedeemRecoveryCodeAsync(AuditActor.Cli, UserId, page.Find(".mfa-recovery-codes code").TextContent));
    }

    [Fact]
    public async Task Reenroll_WithThePassword_OffersANewKeyAndKeepsTheOldOneUntilConfirmed()
    {
        var key = await EnrollAsync();
        var page = Render<MfaEnrollmentPage>();
        page.WaitForElement("#mfa-reauth").Input(Password);

        await page.Find(".mfa-reenroll").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Contains("Scan the code with your new phone", page.Markup, StringComparison.Ordinal));
        Assert.NotEqual(key, page.Find(".mfa-manual-key").TextContent.Trim());
        page.Find(".mfa-cancel").Click();
        page.WaitForAssertion(() => Assert.NotNull(page.Find(".mfa-enrolled")));
        Assert.Equal(TotpCheckOutcome.Accepted, await Mfa.VerifyAsync(UserId, CodeFor(key)));
    }

    [Fact]
    public async Task Disable_WithThePassword_TurnsItOff()
    {
        await EnrollAsync();
        var page = Render<MfaEnrollmentPage>();
        page.WaitForElement("#mfa-reauth").Input(Password);

        await page.Find(".mfa-disable").ClickAsync(new());

        page.WaitForAssertion(() => Assert.NotNull(page.Find(".mfa-start")));
        Assert.False((await Mfa.GetStatusAsync(UserId)).Enrolled);
    }

    [Fact]
    public async Task Disable_RequiredByThePolicy_IsNotOffered()
    {
        await EnrollAsync();
        await RequireForAdminsAsync();

        var page = Render<MfaEnrollmentPage>();

        page.WaitForAssertion(() => Assert.True(page.Find(".mfa-disable").HasAttribute("disabled")));
        Assert.Contains("cannot be turned off", page.Find(".mfa-required-note").TextContent, StringComparison.Ordinal);
    }
}
