using System.Net;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using SecretAdmin.Data;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Mfa;
using SecretAdmin.Features.Users;
using SecretAdmin.Security;
using SecretAdmin.Tests.Features.Mfa;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Features.Account;

/// <summary>
/// Sign-in with an authenticator through the real HTTP forms: codes computed here, independently
/// of the app, from the enrolled secret.
/// </summary>
public sealed class SecondFactorSignInFlowTests : IAsyncLifetime
{
    private const string Email = "ada@example.test";
    private readonly TempDataDirectory _temp = new();
    private SecretAdminAppFactory _app = default!;
    private byte[] _secret = [];
    private IReadOnlyList<string> _recoveryCodes = [];

    public async Task InitializeAsync()
    {
        _app = new SecretAdminAppFactory(_temp);
        await WebSession.CreateUserAsync(_app, Email, admin: false);
        var users = _app.Services.GetRequiredService<UserAdminService>();
        var userId = (await users.SearchAsync(new("ada"))).Items.Single().Id;
        var mfa = _app.Services.GetRequiredService<MfaEnrollmentService>();
        var offer = await mfa.OfferAsync(userId);
        _secret = OtpNet.Base32Encoding.ToBytes(offer.ManualKey.Replace(" ", "", StringComparison.Ordinal));

        // Enrolled with the previous step's code, so the current step is still unused for sign-in.
        var result = await mfa.ConfirmAsync(new AuditActor(Email, null), userId, offer, Code(-1));
        Assert.True(result.Succeeded, result.Message);
        _recoveryCodes = result.RecoveryCodes;
    }

    public Task DisposeAsync()
    {
        _app.Dispose();
        _temp.Dispose();
        return Task.CompletedTask;
    }

    private string Code(long stepOffset = 0) =>
        TotpVerifierTests.IndependentTotp(_secret, (DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 30) + stepOffset, 6, HashAlgorithmName.SHA1);

    private async Task<HttpClient> PastPasswordAsync(string returnUrl = "/account")
    {
        var client = WebSession.Client(_app);
        using var response = await WebSession.SignInAsync(client, Email, returnUrl: returnUrl);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/account/login-code", response.Headers.Location!.IsAbsoluteUri ? response.Headers.Location.AbsolutePath : response.Headers.Location.OriginalString.Split('?')[0]);
        return client;
    }

    private async Task<SecretAdminUser> StoredUserAsync()
    {
        await using var db = await _app.Services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync();
        return await db.Users.AsNoTracking().SingleAsync(u => u.Email == Email);
    }

    private static Task<HttpResponseMessage> SubmitCodeAsync(HttpClient client, string code, string returnUrl = "/account") =>
        SubmitCodeAsync(client, () => code, returnUrl);

    /// <summary>The current code is taken once the form has loaded, so a slow page cannot let it go stale.</summary>
    private Task<HttpResponseMessage> SubmitCurrentCodeAsync(HttpClient client, string returnUrl = "/account") =>
        SubmitCodeAsync(client, () => Code(), returnUrl);

    private static Task<HttpResponseMessage> SubmitCodeAsync(HttpClient client, Func<string> code, string returnUrl) =>
        FormPost.SubmitAsync(client, $"/account/login-code?returnUrl={Uri.EscapeDataString(returnUrl)}", "login-code", () => new Dictionary<string, string> { ["Input.Code"] = code() });

    private static Task<HttpResponseMessage> SubmitRecoveryCodeAsync(HttpClient client, string code) =>
        FormPost.SubmitAsync(client, "/account/login-recovery-code?returnUrl=%2Faccount", "login-recovery-code", new Dictionary<string, string> { ["Input.Code"] = code });

    private static string? PathOf(HttpResponseMessage response) =>
        response.Headers.Location is { } location ? (location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString) : null;

    /// <summary>A passkey as Identity stores one it verified (the ceremony itself is tested in Chromium).</summary>
    private async Task AddPasskeyAsync()
    {
        var userId = (await _app.Services.GetRequiredService<UserAdminService>().SearchAsync(new("ada"))).Items.Single().Id;
        var passkey = new Microsoft.AspNetCore.Identity.UserPasskeyInfo(
            RandomNumberGenerator.GetBytes(16), RandomNumberGenerator.GetBytes(77), DateTimeOffset.UtcNow, 1, ["internal"],
            isUserVerified: true, isBackupEligible: false, isBackedUp: false, attestationObject: [], clientDataJson: []);
        var added = await _app.Services.GetRequiredService<SecretAdmin.Features.Mfa.Passkeys.PasskeyService>().AddAsync(new AuditActor(Email, null), userId, passkey, "Laptop");
        Assert.True(added.Succeeded, added.Message);
    }

    private async Task RequirePasskeysAsync()
    {
        var policy = _app.Services.GetRequiredService<MfaPolicyService>();
        var view = await policy.GetAsync();
        var form = MfaPolicyForm.From(view);
        form.RequirePasskeyForAllUsers = true;
        Assert.True((await policy.SaveAsync(AuditActor.Cli, form, view.Version)).Succeeded);
    }

    [Fact]
    public async Task SignIn_PasskeyRequiredAndTheUserHasOne_CodeRefusedRecoveryCodeStillWorks()
    {
        await AddPasskeyAsync();
        await RequirePasskeysAsync();
        var client = await PastPasswordAsync();

        var page = await client.GetStringAsync("/account/login-code?returnUrl=%2Faccount");
        using var code = await SubmitCurrentCodeAsync(client);
        using var home = await client.GetAsync("/");
        using var recovery = await SubmitRecoveryCodeAsync(client, _recoveryCodes[0]);

        Assert.Contains("passkey-second-step", page, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"code\"", page, StringComparison.Ordinal);
        // No code form is served, so a posted code finds no form to go to; and it signed nobody in.
        Assert.Equal(HttpStatusCode.BadRequest, code.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        Assert.Equal("/account", PathOf(recovery));
    }

    [Fact]
    public async Task SignIn_PasskeyAsTheOnlyFactor_PasswordStillAsksForTheSecondStep()
    {
        var userId = (await _app.Services.GetRequiredService<UserAdminService>().SearchAsync(new("ada"))).Items.Single().Id;
        Assert.True((await _app.Services.GetRequiredService<UserAdminService>().ResetMfaAsync(AuditActor.Cli, userId)).Succeeded);
        await AddPasskeyAsync();

        var client = await PastPasswordAsync();
        var page = await client.GetStringAsync("/account/login-code?returnUrl=%2Faccount");

        Assert.Contains("passkey-only", page, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"code\"", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PasskeyRequestOptions_SecondStepWithoutAPasswordStep_RefusedWithAMessage()
    {
        var client = WebSession.Client(_app);

        using var secondStep = await FormPost.SubmitAsync(client, "/account/login", null, new Dictionary<string, string> { ["step"] = "second" }, action: "/account/passkeys/request-options");
        using var passwordless = await FormPost.SubmitAsync(client, "/account/login", null, new Dictionary<string, string>(), action: "/account/passkeys/request-options");
        using var forged = await client.PostAsync("/account/passkeys/request-options", new FormUrlEncodedContent([]));

        Assert.Equal(HttpStatusCode.BadRequest, secondStep.StatusCode);
        Assert.Contains("Sign in again", await secondStep.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, passwordless.StatusCode);
        using var options = System.Text.Json.JsonDocument.Parse(await passwordless.Content.ReadAsStringAsync());
        Assert.Equal(43, options.RootElement.GetProperty("challenge").GetString()!.Length);
        Assert.Equal(0, options.RootElement.GetProperty("allowCredentials").GetArrayLength());
        Assert.Contains("SecretAdmin.Passkey=", string.Join(";", passwordless.Headers.GetValues("Set-Cookie")), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
    }

    [Fact]
    public async Task PasskeySignIn_NoCeremonyOrAForgedCredential_FailsAndIsAudited()
    {
        var client = WebSession.Client(_app);

        using var response = await FormPost.SubmitAsync(client, "/account/login", "passkey-login", new Dictionary<string, string> { ["credential"] = "{\"id\":\"AAAA\",\"response\":{}}" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("That passkey did not sign you in", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var entry = Assert.Single((await _app.Services.GetRequiredService<AuditLog>().SearchAsync(new(Action: AuditActions.SignInFailed))).Items);
        Assert.Equal("Passkey", entry.ChangedFields);
    }

    [Fact]
    public async Task SignIn_PasswordOnly_IsNotEnough()
    {
        var client = await PastPasswordAsync();

        using var home = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        Assert.StartsWith("/account/login", PathOf(home), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignIn_CurrentCode_LandsSignedIn()
    {
        var client = await PastPasswordAsync();

        using var response = await SubmitCurrentCodeAsync(client);

        Assert.Equal("/account", PathOf(response));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task SignIn_RightCodeAfterAWrongOne_StartsTheCountAgainAndRecordsTheTime()
    {
        var client = await PastPasswordAsync();
        using (var wrong = await SubmitCodeAsync(client, Code(+5)))
        {
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        }

        Assert.Equal(1, (await StoredUserAsync()).AccessFailedCount);
        var before = DateTime.UtcNow;

        using var right = await SubmitCurrentCodeAsync(client);

        Assert.Equal("/account", PathOf(right));
        var stored = await StoredUserAsync();
        Assert.Equal(0, stored.AccessFailedCount);
        Assert.InRange(stored.LastSignInAtUtc!.Value, before.AddSeconds(-1), DateTime.UtcNow.AddSeconds(1));
    }

    /// <summary>
    /// The code step of a sign-in reads the policy, the user and their factors once each: a guard on
    /// what it costs the database (P3 in docs/benchmarks.md), counted, not timed.
    /// </summary>
    [Fact]
    public async Task SignIn_CodeStep_RunsAFewStatements()
    {
        var client = await PastPasswordAsync();
        using var statements = new RequestStatements(_app.Services);
        statements.Mark(client);

        using var response = await SubmitCurrentCodeAsync(client);

        Assert.Equal("/account", PathOf(response));
        var ran = statements.Statements;
        Assert.True(ran.Count <= 8, $"{ran.Count} statements:\n{string.Join("\n---\n", ran)}");
    }

    [Fact]
    public async Task SignIn_SameCodeAgain_IsRefusedAndAudited()
    {
        var code = Code();
        using (var first = await SubmitCodeAsync(await PastPasswordAsync(), code))
        {
            Assert.Equal("/account", PathOf(first));
        }

        var second = await PastPasswordAsync();
        using var replay = await SubmitCodeAsync(second, code);

        Assert.True(replay.StatusCode == HttpStatusCode.OK, $"replayed code gave {(int)replay.StatusCode} {PathOf(replay)}");
        Assert.Contains("That code is not valid", await replay.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var audit = await _app.Services.GetRequiredService<AuditLog>().SearchAsync(new(Action: AuditActions.MfaCodeReplayed));
        Assert.Equal(Email, Assert.Single(audit.Items).Target);
    }

    [Fact]
    public async Task SignIn_TwoRacingRequestsWithOneCode_SignInExactlyOnce()
    {
        var one = await PastPasswordAsync();
        var two = await PastPasswordAsync();
        var code = Code();

        var responses = await Task.WhenAll(SubmitCodeAsync(one, code), SubmitCodeAsync(two, code));

        Assert.Single(responses, r => PathOf(r) == "/account");
    }

    [Fact]
    public async Task SignIn_WrongCodes_CountTowardLockout()
    {
        var client = await PastPasswordAsync();

        HttpResponseMessage? last = null;
        for (var i = 0; i < 5; i++)
        {
            last = await SubmitCodeAsync(client, "000000");
        }

        Assert.Equal("/account/lockout", PathOf(last!));
    }

    [Fact]
    public async Task SignIn_RecoveryCode_WorksOnce()
    {
        using (var first = await SubmitRecoveryCodeAsync(await PastPasswordAsync(), _recoveryCodes[0]))
        {
            Assert.Equal("/account", PathOf(first));
        }

        using var again = await SubmitRecoveryCodeAsync(await PastPasswordAsync(), _recoveryCodes[0]);

        Assert.Contains("That recovery code is not valid or was used already.", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignIn_SecretCannotBeOpened_FailsClosedAndPointsToRecoveryCodes()
    {
        _app.Services.GetRequiredService<SecretSealer>().Use(TestSealing.Ring(3));
        var client = await PastPasswordAsync();

        var page = await client.GetStringAsync("/account/login-code?returnUrl=%2Faccount");
        using var withCode = await SubmitCurrentCodeAsync(client);
        using var withRecovery = await SubmitRecoveryCodeAsync(client, _recoveryCodes[1]);

        Assert.Contains("Use one of your recovery codes", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, withCode.StatusCode);
        Assert.Equal("/account", PathOf(withRecovery));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("12ab")]
    public async Task SignIn_SecretCannotBeOpenedAndCodeRefused_ShowsTheRecoveryCodeNoticeAgain(string? code)
    {
        _app.Services.GetRequiredService<SecretSealer>().Use(TestSealing.Ring(3));
        var client = await PastPasswordAsync();

        // A valid-looking code is refused by the check; malformed input by the form's validation.
        using var response = await SubmitCodeAsync(client, code ?? Code());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Use one of your recovery codes", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignIn_WrongCode_ShowsTheFormWithoutTheRecoveryCodeNotice()
    {
        var client = await PastPasswordAsync();

        using var response = await SubmitCodeAsync(client, "000000");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Contains("That code is not valid", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Use one of your recovery codes", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CodePage_WithoutAPasswordStep_AsksToSignInAgain()
    {
        var html = await WebSession.Client(_app).GetStringAsync("/account/login-code");

        Assert.Contains("Sign in again", html, StringComparison.Ordinal);
        Assert.DoesNotContain("name=\"Input.Code\"", html, StringComparison.Ordinal);
    }
}
