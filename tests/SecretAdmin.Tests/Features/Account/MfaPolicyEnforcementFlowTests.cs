using System.Net;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Mfa;
using SecretAdmin.Features.Users;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Features.Account;

/// <summary>
/// The MFA policy over real HTTP: a user whose role must use MFA and who has no authenticator
/// reaches only the enrollment page (and sign-out) until enrolled.
/// </summary>
public sealed class MfaPolicyEnforcementFlowTests : IDisposable
{
    private readonly TempDataDirectory _temp = new();
    private readonly SecretAdminAppFactory _app;

    public MfaPolicyEnforcementFlowTests() => _app = new SecretAdminAppFactory(_temp);

    public void Dispose()
    {
        _app.Dispose();
        _temp.Dispose();
    }

    private async Task RequireAsync(bool admins, bool everyone)
    {
        var policy = _app.Services.GetRequiredService<MfaPolicyService>();
        var view = await policy.GetAsync();
        var form = MfaPolicyForm.From(view);
        form.RequireForAdmins = admins;
        form.RequireForAllUsers = everyone;
        var saved = await policy.SaveAsync(AuditActor.Cli, form, view.Version);
        Assert.True(saved.Succeeded);
    }

    private async Task EnrollAsync(string email)
    {
        var userId = (await _app.Services.GetRequiredService<UserAdminService>().SearchAsync(new(email))).Items.Single().Id;
        var mfa = _app.Services.GetRequiredService<MfaEnrollmentService>();
        var offer = await mfa.OfferAsync(userId);
        var code = new OtpNet.Totp(offer.Secret).ComputeTotp(DateTime.UtcNow);
        Assert.True((await mfa.ConfirmAsync(new AuditActor(email, null), userId, offer, code)).Succeeded);
    }

    private static string? Location(HttpResponseMessage response) =>
        response.Headers.Location is { } location ? (location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString) : null;

    [Theory]
    [InlineData("/")]
    [InlineData("/account")]
    [InlineData("/admin/users")]
    [InlineData("/settings/oidc")]
    public async Task RequiredForAdmins_AdminWithoutAuthenticator_IsSentToEnrollmentFromEveryPage(string path)
    {
        await RequireAsync(admins: true, everyone: false);
        var client = await WebSession.SignedInAsync(_app, "root@example.test", admin: true);

        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"/account/mfa?returnUrl={Uri.EscapeDataString(path)}", Location(response));
    }

    [Fact]
    public async Task RequiredForAdmins_AdminWithoutAuthenticator_StillReachesEnrollmentAndSignOut()
    {
        await RequireAsync(admins: true, everyone: false);
        var client = await WebSession.SignedInAsync(_app, "root@example.test", admin: true);

        using var enrollment = await client.GetAsync("/account/mfa");
        Assert.Equal(HttpStatusCode.OK, enrollment.StatusCode);

        using var signOut = await WebSession.SignOutAsync(client, tokenPage: "/account/mfa");
        Assert.StartsWith("/account/login", Location(signOut), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequiredForAdmins_UserWithoutAuthenticator_IsNotStopped()
    {
        await RequireAsync(admins: true, everyone: false);
        var client = await WebSession.SignedInAsync(_app, "ada@example.test", admin: false);

        using var response = await client.GetAsync("/account");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task RequiredForEveryone_UserWithoutAuthenticator_IsSentToEnrollment()
    {
        await RequireAsync(admins: false, everyone: true);
        var client = await WebSession.SignedInAsync(_app, "ada@example.test", admin: false);

        using var response = await client.GetAsync("/account");

        Assert.Equal("/account/mfa?returnUrl=%2Faccount", Location(response));
    }

    [Fact]
    public async Task PolicySavedWhileSignedIn_AppliesToTheOpenSession()
    {
        var client = await WebSession.SignedInAsync(_app, "root@example.test", admin: true);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/admin/users")).StatusCode);

        await RequireAsync(admins: true, everyone: false);

        Assert.Equal("/account/mfa?returnUrl=%2Fadmin%2Fusers", Location(await client.GetAsync("/admin/users")));
    }

    [Fact]
    public async Task Enrolled_AfterBeingSentToEnrollment_ReachesEverythingAgain()
    {
        await RequireAsync(admins: true, everyone: false);
        var client = await WebSession.SignedInAsync(_app, "root@example.test", admin: true);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/admin/users")).StatusCode);

        await EnrollAsync("root@example.test");

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/admin/users")).StatusCode);
    }

    [Fact]
    public async Task TemporaryPasswordAndRequiredMfa_PasswordComesFirst()
    {
        await RequireAsync(admins: false, everyone: true);
        await WebSession.CreateUserAsync(_app, "ada@example.test", admin: false, mustChangePassword: true);
        var client = WebSession.Client(_app);
        using var signIn = await WebSession.SignInAsync(client, "ada@example.test", returnUrl: "/account");
        Assert.StartsWith("/account/change-password", Location(signIn), StringComparison.Ordinal);

        using var changed = await FormPost.SubmitAsync(client, "/account/change-password?returnUrl=%2Faccount", "change-password", new Dictionary<string, string>
        {
            ["Input.CurrentPassword"] = WebSession.Password,
            ["Input.NewPassword"] = "Another-Horse-43!",
            ["Input.ConfirmPassword"] = "Another-Horse-43!",
        });
        Assert.Equal("/account", Location(changed));

        Assert.Equal("/account/mfa?returnUrl=%2Faccount", Location(await client.GetAsync("/account")));
    }
}
