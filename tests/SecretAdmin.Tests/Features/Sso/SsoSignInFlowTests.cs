using System.Net;
using Microsoft.EntityFrameworkCore;
using SecretAdmin.Data;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Mfa;
using SecretAdmin.Features.Oidc;
using SecretAdmin.Features.Sso;
using SecretAdmin.Features.Users;
using SecretAdmin.Security;
using SecretAdmin.Tests.Support;
using SecretAdmin.Tests.Support.Peers;

namespace SecretAdmin.Tests.Features.Sso;

/// <summary>
/// Single sign-on through the real app (in process) and the real OpenID Connect provider on
/// 127.0.0.1: the app's redirects are followed by hand between the two, as a browser would.
/// </summary>
public sealed class SsoSignInFlowTests : IAsyncLifetime
{
    private const string ClientSecret = "peer-client-secret-7f3a9c";
    private const string AppOrigin = SsoBrowserFlow.AppOrigin;
    private readonly TempDataDirectory _temp = new();
    private SecretAdminAppFactory _app = default!;
    private OidcPeer _oidc = default!;

    public async Task InitializeAsync()
    {
        _app = new SecretAdminAppFactory(_temp);
        _oidc = await OidcPeer.StartAsync(ClientSecret, [$"{AppOrigin}/signin-oidc"], [$"{AppOrigin}{SsoDefaults.SignedOutCallbackPath}"]);
        await WebSession.CreateUserAsync(_app, "root@example.test", admin: true);
        await SaveOidcAsync(form => { });
    }

    public async Task DisposeAsync()
    {
        _app.Dispose();
        await _oidc.DisposeAsync();
        _temp.Dispose();
    }

    private async Task SaveOidcAsync(Action<OidcSettingsForm> change, string? secret = ClientSecret)
    {
        var service = _app.Services.GetRequiredService<OidcSettingsService>();
        var view = await service.GetAsync();
        var form = OidcSettingsForm.From(view);
        form.Enabled = true;
        form.ButtonLabel = "Test IdP";
        form.Authority = _oidc.Issuer;
        form.ClientId = OidcPeer.ClientId;
        form.NewClientSecret = secret;
        form.Scopes = "openid profile email groups";
        form.RoleClaimType = "groups";
        form.AdminRoleValue = OidcPeer.AdminGroup;
        form.CreateUnknownUsers = true;
        change(form);
        var saved = await service.SaveAsync(AuditActor.Cli, form, view.Version);
        Assert.True(saved.Succeeded, string.Join(" ", saved.Errors.SelectMany(e => e.Value)));
    }

    private Task<(HttpClient App, HttpResponseMessage Last)> SignInThroughProviderAsync(string login, string returnUrl = "/account") =>
        SsoBrowserFlow.SignInAsync(_app, _oidc, login, returnUrl);

    private static Task<HttpResponseMessage> StartAsync(HttpClient app, string returnUrl) => SsoBrowserFlow.StartAsync(app, returnUrl);

    private static string Location(HttpResponseMessage response) => SsoBrowserFlow.Location(response);

    private async Task<SecretAdminUser?> FindAsync(string email)
    {
        await using var db = await _app.Services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync();
        return await db.Users.SingleOrDefaultAsync(u => u.Email == email);
    }

    private async Task<bool> IsAdminAsync(string email) =>
        (await _app.Services.GetRequiredService<UserAdminService>().SearchAsync(new(email))).Items.Single().IsAdmin;

    private async Task<List<AuditEntry>> AuditAsync(string action) =>
        [.. (await _app.Services.GetRequiredService<AuditLog>().SearchAsync(new(Action: action))).Items];

    [Fact]
    public async Task Start_AuthorityEditedInTheDatabase_AnotherProviderReceivesNothing()
    {
        await using var other = await OidcPeer.StartAsync("another-providers-secret", [$"{AppOrigin}/signin-oidc"]);
        await using (var db = await _app.Services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync())
        {
            // As someone with write access to the database would: point single sign-on elsewhere.
            await db.Database.ExecuteSqlAsync($"UPDATE \"OidcSettings\" SET \"Authority\" = {other.Issuer}, \"Version\" = \"Version\" + 1");
        }

        var app = WebSession.Client(_app);
        var html = await app.GetStringAsync("/account/login");
        var start = await StartAsync(app, "/account");

        Assert.DoesNotContain("sso-sign-in", html, StringComparison.Ordinal);
        Assert.Equal(SsoErrors.PathFor(SsoErrorKind.Unavailable), Location(start));
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        Assert.Empty(other.Requests);
        Assert.DoesNotContain(_oidc.Requests, r => r.StartsWith("POST", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LoginPage_Ready_ShowsTheButtonWithTheLabel()
    {
        var html = await WebSession.Client(_app).GetStringAsync("/account/login");

        Assert.Contains("Sign in with Test IdP", html, StringComparison.Ordinal);
        Assert.Contains($"action=\"{SsoDefaults.Start}\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoginPage_LabelStoredAsTheWholeText_SaysSignInWithOnce()
    {
        await using (var db = await _app.Services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync())
        {
            // As an earlier version stored it, when the page suggested the whole text as the label.
            await db.Database.ExecuteSqlAsync($"UPDATE \"OidcSettings\" SET \"ButtonLabel\" = 'Sign in with Contoso', \"Version\" = \"Version\" + 1");
        }

        var html = await WebSession.Client(_app).GetStringAsync("/account/login");

        Assert.Contains("Sign in with Contoso", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Sign in with Sign in with", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task LoginPage_Disabled_ShowsNoButton()
    {
        await SaveOidcAsync(form => form.Enabled = false, secret: null);

        var html = await WebSession.Client(_app).GetStringAsync("/account/login");

        Assert.DoesNotContain("sso-sign-in", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FirstSignIn_UnknownUserAllowed_CreatesAUserLinkedToTheProviderAccount()
    {
        var (app, last) = await SignInThroughProviderAsync("carol");

        Assert.Equal("/account", Location(last));
        Assert.Equal(HttpStatusCode.OK, (await app.GetAsync("/account")).StatusCode);
        var carol = await FindAsync("carol@example.test");
        Assert.NotNull(carol);
        Assert.False(await IsAdminAsync("carol@example.test"));
        await using var db = await _app.Services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync();
        var login = await db.UserLogins.SingleAsync(l => l.UserId == carol!.Id);
        Assert.Equal((_oidc.Issuer, "carol", "Test IdP"), (login.LoginProvider, login.ProviderKey, login.ProviderDisplayName));
        Assert.Single(await AuditAsync(AuditActions.SsoSignedIn));
        Assert.Contains(await AuditAsync(AuditActions.UserCreated), e => e.Target == "carol@example.test" && e.ChangedFields == "Email,Roles,SsoLogin");
    }

    [Fact]
    public async Task SignIn_AdminGroupClaim_GrantsAdminAndLosingItRevokesIt()
    {
        var (app, _) = await SignInThroughProviderAsync("admin-dave", "/admin/users");
        Assert.True(await IsAdminAsync("admin-dave@example.test"));
        Assert.Equal(HttpStatusCode.OK, (await app.GetAsync("/admin/users")).StatusCode);

        // The provider still sends its group, but it no longer makes an administrator here.
        await SaveOidcAsync(form => form.AdminRoleValue = "some-other-group", secret: null);
        await SignInThroughProviderAsync("admin-dave");

        Assert.False(await IsAdminAsync("admin-dave@example.test"));
    }

    [Fact]
    public async Task SignIn_LastAdministratorLosesTheClaim_StaysAdministrator()
    {
        await SaveOidcAsync(form => form.LinkByVerifiedEmail = true, secret: null);
        await _app.Services.GetRequiredService<UserAdminService>().SetDisabledAsync(AuditActor.Cli, (await FindAsync("root@example.test"))!.Id, disabled: false);
        await SignInThroughProviderAsync("admin-erin");
        var root = (await FindAsync("root@example.test"))!;
        await _app.Services.GetRequiredService<UserAdminService>().SetAdminAsync(AuditActor.Cli, root.Id, admin: false);

        await SaveOidcAsync(form => form.AdminRoleValue = "some-other-group", secret: null);
        var (app, _) = await SignInThroughProviderAsync("admin-erin", "/admin/users");

        Assert.True(await IsAdminAsync("admin-erin@example.test"));
        Assert.Equal(HttpStatusCode.OK, (await app.GetAsync("/admin/users")).StatusCode);
    }

    [Fact]
    public async Task SignIn_ExistingEmailWithoutLinkingByEmail_IsRefusedClearly()
    {
        await WebSession.CreateUserAsync(_app, "frank@example.test", admin: false);

        var (app, last) = await SignInThroughProviderAsync("frank");
        var page = await app.GetStringAsync(Location(last));

        // New users are created here (the settings say so): the page must not claim otherwise.
        Assert.Equal(SsoErrors.PathFor(SsoErrorKind.EmailInUse), Location(last));
        Assert.DoesNotContain("not created automatically", page, StringComparison.Ordinal);
        Assert.Contains("not linked to this identity provider account", page, StringComparison.Ordinal);
        Assert.Empty(await AuditAsync(AuditActions.SsoSignedIn));
        Assert.Single(await AuditAsync(AuditActions.SsoRefused));
    }

    [Fact]
    public async Task SignIn_ExistingVerifiedEmailWithLinkingByEmail_LinksThatUser()
    {
        await WebSession.CreateUserAsync(_app, "frank@example.test", admin: false);
        await SaveOidcAsync(form => form.LinkByVerifiedEmail = true, secret: null);

        var (app, last) = await SignInThroughProviderAsync("frank");

        Assert.Equal("/account", Location(last));
        Assert.Contains(await AuditAsync(AuditActions.SsoLinked), e => e.Target == "frank@example.test");
        Assert.Equal(2, (await _app.Services.GetRequiredService<UserAdminService>().SearchAsync(new())).Items.Count);
    }

    [Fact]
    public async Task SignIn_LinkingByEmailOutsideTheAllowedDomains_IsRefusedAndLinksNothing()
    {
        // The local administrator root@example.test; the provider's verified root@example.test is not in corp.test.
        await SaveOidcAsync(form => { form.LinkByVerifiedEmail = true; form.AllowedEmailDomains = "corp.test"; }, secret: null);

        var (app, last) = await SignInThroughProviderAsync("root", "/admin/users");

        Assert.Equal(SsoErrors.PathFor(SsoErrorKind.DomainNotAllowed), Location(last));
        Assert.NotEqual(HttpStatusCode.OK, (await app.GetAsync("/admin/users")).StatusCode);
        await using var db = await _app.Services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync();
        Assert.Empty(await db.UserLogins.ToListAsync());
        Assert.Empty(await AuditAsync(AuditActions.SsoLinked));
        var refused = Assert.Single(await AuditAsync(AuditActions.SsoRefused));
        Assert.Equal(("root@example.test", SsoErrors.Code(SsoErrorKind.DomainNotAllowed)), (refused.Target, refused.Reason));
        Assert.Equal($"sso:{_oidc.Issuer}|root", refused.Actor);
    }

    [Fact]
    public async Task SignIn_AlreadyLinkedUserOutsideTheAllowedDomains_IsRefused()
    {
        await SignInThroughProviderAsync("carol");
        await SaveOidcAsync(form => form.AllowedEmailDomains = "corp.test", secret: null);

        var (app, last) = await SignInThroughProviderAsync("carol");

        Assert.Equal(SsoErrors.PathFor(SsoErrorKind.DomainNotAllowed), Location(last));
        Assert.NotEqual(HttpStatusCode.OK, (await app.GetAsync("/account")).StatusCode);
        Assert.Single(await AuditAsync(AuditActions.SsoSignedIn));
        Assert.Equal(SsoErrors.Code(SsoErrorKind.DomainNotAllowed), Assert.Single(await AuditAsync(AuditActions.SsoRefused)).Reason);
    }

    [Fact]
    public async Task SignIn_LinkedUserWithATemporaryPassword_IsNotStuckOnTheChangePasswordPage()
    {
        await WebSession.CreateUserAsync(_app, "frank@example.test", admin: false);
        await using (var db = await _app.Services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync())
        {
            await db.Users.Where(u => u.Email == "frank@example.test").ExecuteUpdateAsync(set => set.SetProperty(u => u.MustChangePassword, true));
        }

        await SaveOidcAsync(form => form.LinkByVerifiedEmail = true, secret: null);

        var (app, last) = await SignInThroughProviderAsync("frank");
        var account = await app.GetAsync("/account");

        Assert.Equal("/account", Location(last));
        Assert.Equal(HttpStatusCode.OK, account.StatusCode);
        Assert.True((await FindAsync("frank@example.test"))!.MustChangePassword);
    }

    [Fact]
    public async Task SignIn_HostedDomainClaimRequiredButNotSent_IsRefusedAndCreatesNobody()
    {
        await SaveOidcAsync(form => { form.HostedDomainClaim = "hd"; form.HostedDomains = "corp.test"; }, secret: null);

        var (_, last) = await SignInThroughProviderAsync("carol");

        Assert.Equal(SsoErrors.PathFor(SsoErrorKind.HostedDomainNotAllowed), Location(last));
        Assert.Null(await FindAsync("carol@example.test"));
        Assert.Equal(SsoErrors.Code(SsoErrorKind.HostedDomainNotAllowed), Assert.Single(await AuditAsync(AuditActions.SsoRefused)).Reason);
    }

    [Fact]
    public async Task Callback_CancelledAtTheProvider_ShowsTheCancelledPageAndIsAudited()
    {
        // Without pushed authorization requests the state is in the front-channel request.
        await using var provider = await OidcPeer.StartAsync(ClientSecret, [$"{AppOrigin}/signin-oidc"], shape: OidcPeerShape.Default with { Par = false });
        await SaveOidcAsync(form => form.Authority = provider.Address);
        var app = WebSession.Client(_app);
        var start = await StartAsync(app, "/account");
        var state = System.Web.HttpUtility.ParseQueryString(start.Headers.Location!.Query)["state"];

        // What the provider sends back when the person cancels there.
        var callback = await app.GetAsync($"/signin-oidc?error=access_denied&state={Uri.EscapeDataString(state!)}");

        Assert.Equal(SsoErrors.PathFor(SsoErrorKind.Cancelled), Location(callback));
        Assert.Contains(await AuditAsync(AuditActions.SsoFailed), e => e.Reason == SsoErrors.Code(SsoErrorKind.Cancelled));
    }

    [Fact]
    public async Task Start_ProviderDown_ShowsTheUnreachablePageAndIsAudited()
    {
        await _oidc.DisposeAsync();

        var start = await StartAsync(WebSession.Client(_app), "/account");

        Assert.Equal(SsoErrors.PathFor(SsoErrorKind.ProviderUnreachable), Location(start));
        Assert.Contains(await AuditAsync(AuditActions.SsoFailed), e => e.Reason == SsoErrors.Code(SsoErrorKind.ProviderUnreachable) && e.Target == _oidc.Address);
    }

    [Fact]
    public async Task SignIn_UnknownUserNotAllowed_ShowsTheNotAllowedPage()
    {
        await SaveOidcAsync(form => form.CreateUnknownUsers = false, secret: null);

        var (app, last) = await SignInThroughProviderAsync("grace");

        Assert.Equal(SsoErrors.PathFor(SsoErrorKind.NotLinked), Location(last));
        var page = await app.GetStringAsync(Location(last));
        Assert.Contains("no SecretAdmin user is linked to that account", page, StringComparison.Ordinal);
        Assert.Null(await FindAsync("grace@example.test"));
    }

    [Fact]
    public async Task SignIn_EmailDomainNotAllowed_CreatesNobody()
    {
        await SaveOidcAsync(form => form.AllowedEmailDomains = "corp.test, example.org", secret: null);

        var (_, last) = await SignInThroughProviderAsync("heidi");

        Assert.Equal(SsoErrors.PathFor(SsoErrorKind.DomainNotAllowed), Location(last));
        Assert.Null(await FindAsync("heidi@example.test"));
    }

    [Fact]
    public async Task SignIn_WrongClientSecret_ShowsTheClientRejectedPageWithoutTheSecret()
    {
        const string wrong = "not-the-registered-secret-4411";
        await SaveOidcAsync(form => { }, secret: wrong);
        var app = WebSession.Client(_app);

        // This provider takes pushed authorization requests, so the secret is first used, and refused, at the start.
        using var last = await StartAsync(app, "/account");

        Assert.Equal(SsoErrors.PathFor(SsoErrorKind.ClientRejected), Location(last));
        var page = await app.GetStringAsync(Location(last));
        Assert.Contains("client id or client secret. An administrator needs to check them", page, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, page, StringComparison.Ordinal);
        Assert.DoesNotContain(ClientSecret, page, StringComparison.Ordinal);
        Assert.Null(await FindAsync("ivan@example.test"));
    }

    [Fact]
    public async Task Start_SecretCannotBeOpened_FailsClosedBeforeTheProvider()
    {
        _app.Services.GetRequiredService<SecretSealer>().Use(TestSealing.Ring(7));
        var app = WebSession.Client(_app);

        var login = await app.GetStringAsync("/account/login");
        using var start = await StartAsync(app, "/account");

        Assert.DoesNotContain("sso-sign-in", login, StringComparison.Ordinal);
        Assert.Equal(SsoErrors.PathFor(SsoErrorKind.Unavailable), Location(start));
        using var health = await app.GetAsync("/healthz");
        Assert.Contains("the stored client secret cannot be opened", await health.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SettingsSaved_AnotherProvider_NextSignInUsesItWithoutARestart()
    {
        await SignInThroughProviderAsync("judy");
        await using var other = await OidcPeer.StartAsync("second-peer-secret-9d2e", [$"{AppOrigin}/signin-oidc"]);
        var service = _app.Services.GetRequiredService<OidcSettingsService>();
        var view = await service.GetAsync();
        var form = OidcSettingsForm.From(view);
        form.Authority = other.Issuer;
        form.NewClientSecret = "second-peer-secret-9d2e";
        Assert.True((await service.SaveAsync(AuditActor.Cli, form, view.Version)).Succeeded);

        using var start = await StartAsync(WebSession.Client(_app), "/account");

        Assert.StartsWith(other.Issuer, start.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignOut_SingleSignOnSession_EndsTheProviderSessionToo()
    {
        var (app, _) = await SignInThroughProviderAsync("ken");

        using var signOut = await WebSession.SignOutAsync(app, tokenPage: "/account");

        Assert.StartsWith($"{_oidc.Issuer}/session/end", signOut.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Contains("client_id=secretadmin", signOut.Headers.Location.Query, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await app.GetAsync("/account")).StatusCode);
    }

    [Fact]
    public async Task SignIn_TotpAfterSsoRequiredAndEnrolled_AsksForTheCode()
    {
        await SignInThroughProviderAsync("lena");
        var lena = (await FindAsync("lena@example.test"))!;
        var mfa = _app.Services.GetRequiredService<MfaEnrollmentService>();
        var offer = await mfa.OfferAsync(lena.Id);
        Assert.True((await mfa.ConfirmAsync(AuditActor.Cli, lena.Id, offer, new OtpNet.Totp(offer.Secret).ComputeTotp(DateTime.UtcNow))).Succeeded);
        var policy = _app.Services.GetRequiredService<MfaPolicyService>();
        var current = await policy.GetAsync();
        var policyForm = MfaPolicyForm.From(current);
        policyForm.RequireTotpAfterSso = true;
        Assert.True((await policy.SaveAsync(AuditActor.Cli, policyForm, current.Version)).Succeeded);

        var (app, last) = await SignInThroughProviderAsync("lena");

        Assert.StartsWith("/account/login-code", Location(last), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await app.GetAsync("/account")).StatusCode);
    }
}
