using System.Net;
using Microsoft.EntityFrameworkCore;
using SecretAdmin.Data;
using SecretAdmin.Features.Audit;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Features.Account;

/// <summary>Sign-in, lockout, sign-out and temporary passwords through the real forms over HTTP, on a real SQLite file.</summary>
public sealed class SignInFlowTests : IDisposable
{
    private readonly TempDataDirectory _temp = new();
    private readonly SecretAdminAppFactory _app;

    public SignInFlowTests()
    {
        _app = new SecretAdminAppFactory(_temp);
    }

    public void Dispose()
    {
        _app.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task SignIn_RightPassword_RedirectsToReturnUrlAndOpensPages()
    {
        await WebSession.CreateUserAsync(_app, "ada@example.test", admin: false);
        var client = WebSession.Client(_app);

        using var response = await WebSession.SignInAsync(client, "ada@example.test", returnUrl: "/account");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/account", Location(response));
        using var home = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        Assert.Contains(await Audit(), e => e.Action == AuditActions.SignInSucceeded && e.Actor == "ada@example.test");
    }

    [Fact]
    public async Task SignIn_WrongPassword_ShowsOneMessageForBothFields()
    {
        await WebSession.CreateUserAsync(_app, "ada@example.test", admin: false);
        var client = WebSession.Client(_app);

        using var response = await WebSession.SignInAsync(client, "ada@example.test", "Wrong-Password-1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("The email or password is not correct.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task SignIn_EmptyFields_ShowsFieldMessages()
    {
        var client = WebSession.Client(_app);

        using var response = await FormPost.SubmitAsync(client, "/account/login", "login", new Dictionary<string, string> { ["Input.Email"] = "", ["Input.Password"] = "" });

        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("Enter your email address.", html, StringComparison.Ordinal);
        Assert.Contains("Enter your password.", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://evil.example/steal")]
    [InlineData("//evil.example/steal")]
    [InlineData("/\\evil.example")]
    public async Task SignIn_ReturnUrlToAnotherSite_RedirectsHomeInstead(string returnUrl)
    {
        await WebSession.CreateUserAsync(_app, "ada@example.test", admin: false);
        var client = WebSession.Client(_app);

        using var response = await WebSession.SignInAsync(client, "ada@example.test", returnUrl: returnUrl);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", Location(response));
    }

    [Fact]
    public async Task SignIn_FiveWrongPasswords_LocksOutEvenTheRightPassword()
    {
        await WebSession.CreateUserAsync(_app, "ada@example.test", admin: false);
        var client = WebSession.Client(_app);

        HttpResponseMessage? last = null;
        for (var i = 0; i < 5; i++)
        {
            last = await WebSession.SignInAsync(client, "ada@example.test", $"Wrong-Password-{i}");
        }

        Assert.Equal("/account/lockout", Location(last!));
        using var right = await WebSession.SignInAsync(client, "ada@example.test");
        Assert.Equal("/account/lockout", Location(right));
        Assert.Contains(await Audit(), e => e.Action == AuditActions.LockedOut && e.Target == "ada@example.test");
    }

    [Fact]
    public async Task SignIn_UnknownEmailFiveTimes_LooksExactlyLikeALockedAccount()
    {
        var client = WebSession.Client(_app);

        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < 5; i++)
        {
            responses.Add(await WebSession.SignInAsync(client, "nobody@example.test", $"Wrong-Password-{i}"));
        }

        Assert.All(responses.Take(4), r => Assert.Contains("The email or password is not correct.", r.Content.ReadAsStringAsync().Result, StringComparison.Ordinal));
        Assert.Equal("/account/lockout", Location(responses[4]));
    }

    [Fact]
    public async Task Lockout_Page_SaysWhatToDoWithoutNamingTheAccount()
    {
        var html = await WebSession.Client(_app).GetStringAsync("/account/lockout");

        Assert.Contains("Try again later, or ask an administrator to unlock the account.", html, StringComparison.Ordinal);
        Assert.DoesNotContain("@example.test", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignIn_DisabledUser_FailsLikeAWrongPassword()
    {
        await WebSession.CreateUserAsync(_app, "ada@example.test", admin: false);
        var users = _app.Services.GetRequiredService<SecretAdmin.Features.Users.UserAdminService>();
        var id = (await users.SearchAsync(new("ada"))).Items.Single().Id;
        await users.SetDisabledAsync(AuditActor.Cli, id, disabled: true);

        using var response = await WebSession.SignInAsync(WebSession.Client(_app), "ada@example.test");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("The email or password is not correct.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignOut_Post_EndsTheSessionAndIsAudited()
    {
        var client = await WebSession.SignedInAsync(_app, "ada@example.test", admin: false);

        using var response = await WebSession.SignOutAsync(client);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/login", Location(response), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/")).StatusCode);
        Assert.Contains(await Audit(), e => e.Action == AuditActions.SignedOut && e.Actor == "ada@example.test");
    }

    [Fact]
    public async Task SignOut_GetOrNoAntiforgeryToken_IsRefused()
    {
        var client = await WebSession.SignedInAsync(_app, "ada@example.test", admin: false);

        using var get = await client.GetAsync("/account/logout");
        Assert.True(get.StatusCode is HttpStatusCode.MethodNotAllowed or HttpStatusCode.NotFound, $"GET sign-out gave {get.StatusCode}");
        using var forged = await client.PostAsync("/account/logout", new FormUrlEncodedContent([new("returnUrl", "/")]));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task TemporaryPassword_MustBeChangedBeforeAnythingElse()
    {
        await WebSession.CreateUserAsync(_app, "ada@example.test", admin: false, mustChangePassword: true);
        var client = WebSession.Client(_app);

        using var signIn = await WebSession.SignInAsync(client, "ada@example.test", returnUrl: "/account");
        Assert.StartsWith("/account/change-password", Location(signIn), StringComparison.Ordinal);
        using var blocked = await client.GetAsync("/");
        Assert.StartsWith("/account/change-password", Location(blocked), StringComparison.Ordinal);

        using var changed = await FormPost.SubmitAsync(client, "/account/change-password?returnUrl=%2Faccount", "change-password", new Dictionary<string, string>
        {
            ["Input.CurrentPassword"] = WebSession.Password,
            ["Input.NewPassword"] = "Another-Horse-43!",
            ["Input.ConfirmPassword"] = "Another-Horse-43!",
        });

        Assert.Equal("/account", Location(changed));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);
        Assert.Contains(await Audit(), e => e.Action == AuditActions.PasswordChanged && e.ChangedFields == "Password,MustChangePassword");
    }

    [Fact]
    public async Task ChangePassword_WrongCurrentOrWeakNew_SaysWhichAndKeepsTheOldPassword()
    {
        var client = await WebSession.SignedInAsync(_app, "ada@example.test", admin: false);

        using var wrongCurrent = await ChangePasswordAsync(client, "Not-The-Password-1", "Another-Horse-43!");
        using var weak = await ChangePasswordAsync(client, WebSession.Password, "aaaaaaaaaaaa");

        Assert.Contains("The current password is not correct.", await wrongCurrent.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("Passwords must have at least one", await weak.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var again = await WebSession.SignInAsync(WebSession.Client(_app), "ada@example.test");
        Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
    }

    [Fact]
    public async Task Session_AfterRestartOnTheSameDataFolder_StillSignedIn()
    {
        await WebSession.CreateUserAsync(_app, "ada@example.test", admin: false);
        using var signIn = await WebSession.SignInAsync(WebSession.Client(_app), "ada@example.test");
        var cookie = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("SecretAdmin.Session=", StringComparison.Ordinal)).Split(';')[0];
        _app.Dispose();

        using var restarted = new SecretAdminAppFactory(_temp);
        var fresh = WebSession.Client(restarted);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("Cookie", cookie);
        using var response = await fresh.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(Directory.Exists(_temp.Data.FormerDataProtectionKeysFolder));
        using var db = TestDatabase.Open(_temp);
        Assert.NotEmpty(db.SessionKeys);
    }

    [Fact]
    public async Task AuditLog_AfterEveryForm_HoldsNoTypedPassword()
    {
        const string typedIntoEmail = "Typed-Into-The-Email-Box-1";
        await WebSession.CreateUserAsync(_app, "ada@example.test", admin: false, mustChangePassword: true);
        var client = WebSession.Client(_app);
        await WebSession.SignInAsync(client, typedIntoEmail, "Wrong-Password-Zero");
        await WebSession.SignInAsync(client, "ada@example.test", "Wrong-Password-One");
        await WebSession.SignInAsync(client, "ada@example.test");
        await ChangePasswordAsync(client, WebSession.Password, "Another-Horse-43!");
        await WebSession.SignOutAsync(client);

        var entries = await Audit();

        Assert.NotEmpty(entries);
        var text = string.Join("\n", entries.Select(e => $"{e.Actor}|{e.Action}|{e.Target}|{e.ChangedFields}|{e.ClientIp}"));
        foreach (var secret in new[] { typedIntoEmail, "Wrong-Password-Zero", "Wrong-Password-One", WebSession.Password, "Another-Horse-43!" })
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }
    }

    /// <summary>The redirect target as a path and query; the app may answer with an absolute URL to itself.</summary>
    private static string? Location(HttpResponseMessage response) =>
        response.Headers.Location is not { } location ? null
        : location.IsAbsoluteUri ? (location.Host == "localhost" ? location.PathAndQuery : location.OriginalString)
        : location.OriginalString;

    private static Task<HttpResponseMessage> ChangePasswordAsync(HttpClient client, string current, string next) =>
        FormPost.SubmitAsync(client, "/account/change-password", "change-password", new Dictionary<string, string>
        {
            ["Input.CurrentPassword"] = current,
            ["Input.NewPassword"] = next,
            ["Input.ConfirmPassword"] = next,
        });

    private async Task<List<AuditEntry>> Audit()
    {
        await using var db = await _app.Services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync();
        return await db.AuditEntries.AsNoTracking().ToListAsync();
    }
}
