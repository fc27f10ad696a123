using System.Net;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using SecretAdmin.Data;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Mail;
using SecretAdmin.Features.Mfa;
using SecretAdmin.Features.Users;
using SecretAdmin.Tests.Features.Mfa;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Features.Mail;

/// <summary>
/// Security notices of the changes a user makes through the real HTTP forms of the app: a changed
/// password and a sign-in with a recovery code, each queued once, with neither the password nor the code.
/// </summary>
public sealed class SecurityNoticesFlowTests : IDisposable
{
    private const string Email = "ada@example.test";
    private const string NewPassword = "Another-Horse-43!";
    private readonly TempDataDirectory _temp = new();
    private readonly SecretAdminAppFactory _app;

    public SecurityNoticesFlowTests() => _app = new SecretAdminAppFactory(_temp);

    public void Dispose()
    {
        _app.Dispose();
        _temp.Dispose();
    }

    private async Task<List<OutboxMail>> NoticesAsync()
    {
        await using var db = await _app.Services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync();
        return await db.OutboxMails.AsNoTracking().Where(m => m.Kind.StartsWith("notice.")).ToListAsync();
    }

    private static Task<HttpResponseMessage> ChangePasswordAsync(HttpClient client, string current) =>
        FormPost.SubmitAsync(client, "/account/change-password?returnUrl=%2Faccount", "change-password", new Dictionary<string, string>
        {
            ["Input.CurrentPassword"] = current,
            ["Input.NewPassword"] = NewPassword,
            ["Input.ConfirmPassword"] = NewPassword,
        });

    [Fact]
    public async Task ChangePassword_Changed_TellsTheOwnerOnceWithoutEitherPassword()
    {
        var client = await WebSession.SignedInAsync(_app, Email, admin: false);

        using var changed = await ChangePasswordAsync(client, WebSession.Password);

        Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);
        var notice = Assert.Single(await NoticesAsync());
        Assert.Equal(("notice.password-changed", Email), (notice.Kind, notice.Recipient));
        Assert.DoesNotContain(NewPassword, notice.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(WebSession.Password, notice.Body, StringComparison.Ordinal);
        Assert.Single((await _app.Services.GetRequiredService<AuditLog>().SearchAsync(new(Action: AuditActions.PasswordChanged))).Items);
        using var again = await WebSession.SignInAsync(WebSession.Client(_app), Email, NewPassword);
        Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
    }

    [Fact]
    public async Task ChangePassword_WrongCurrentPassword_RefusedAndQueuesNothing()
    {
        var client = await WebSession.SignedInAsync(_app, Email, admin: false);

        using var refused = await ChangePasswordAsync(client, "Not-The-Password-1");

        Assert.Contains("The current password is not correct.", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await NoticesAsync());
        Assert.Empty((await _app.Services.GetRequiredService<AuditLog>().SearchAsync(new(Action: AuditActions.PasswordChanged))).Items);
    }

    [Fact]
    public async Task SignIn_WithARecoveryCode_TellsTheOwnerOnceWithoutTheCode()
    {
        await WebSession.CreateUserAsync(_app, Email, admin: false);
        var userId = (await _app.Services.GetRequiredService<UserAdminService>().SearchAsync(new("ada"))).Items.Single().Id;
        var mfa = _app.Services.GetRequiredService<MfaEnrollmentService>();
        var offer = await mfa.OfferAsync(userId);
        var code = TotpVerifierTests.IndependentTotp(offer.Secret, DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 30, 6, HashAlgorithmName.SHA1);
        var enrolled = await mfa.ConfirmAsync(new AuditActor(Email, null), userId, offer, code);
        Assert.True(enrolled.Succeeded, enrolled.Message);
        var client = WebSession.Client(_app);
        using (var password = await WebSession.SignInAsync(client, Email, returnUrl: "/account"))
        {
            Assert.Equal(HttpStatusCode.Redirect, password.StatusCode);
        }

        using var signedIn = await FormPost.SubmitAsync(client, "/account/login-recovery-code?returnUrl=%2Faccount", "login-recovery-code", new Dictionary<string, string> { ["Input.Code"] = enrolled.RecoveryCodes[0] });

        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/account")).StatusCode);
        var notice = Assert.Single(await NoticesAsync(), n => n.Kind == "notice.recovery-code-used");
        Assert.Equal(Email, notice.Recipient);
        Assert.DoesNotContain(enrolled.RecoveryCodes[0].Replace("-", "", StringComparison.Ordinal), notice.Body!.Replace("-", "", StringComparison.Ordinal), StringComparison.Ordinal);
        var audit = Assert.Single((await _app.Services.GetRequiredService<AuditLog>().SearchAsync(new(Action: AuditActions.RecoveryCodeUsed))).Items);
        Assert.Equal(Email, audit.Actor);
    }
}
