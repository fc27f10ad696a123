using System.Net;
using Microsoft.EntityFrameworkCore;
using SecretAdmin.Data;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Oidc;
using SecretAdmin.Features.Sso;
using SecretAdmin.Tests.Support;
using SecretAdmin.Tests.Support.Peers;

namespace SecretAdmin.Tests.Features.Sso;

/// <summary>
/// The OIDC settings page's test sign-in against the real OpenID Connect peer: the flow runs in
/// the administrator's browser against the saved settings and reports what a real sign-in would
/// do, without signing anyone in or changing anything.
/// </summary>
public sealed class SsoTestSignInTests : SsoProviderTest
{
    private const string AdminRole = "secretadmin-admins";
    private const string Admin = "root@example.test";

    protected override string ClientSecret => "test-sign-in-secret-7c2a";

    /// <summary>Saved switched off: a test sign-in needs no single sign-on offered yet.</summary>
    private Task SaveSettingsOffAsync(OidcPeer provider, Action<OidcSettingsForm> change) => SaveSettingsAsync(provider, enabled: false, change);

    private async Task<string> ReportAsync(HttpClient admin, HttpResponseMessage last)
    {
        Assert.Equal(HttpStatusCode.Redirect, last.StatusCode);
        var path = SsoBrowserFlow.Location(last);
        Assert.StartsWith($"{SsoDefaults.TestResult}/", path, StringComparison.Ordinal);
        var html = await admin.GetStringAsync(path);
        Assert.DoesNotContain(ClientSecret, html, StringComparison.Ordinal);
        return WebUtility.HtmlDecode(html);
    }

    [Fact]
    public async Task KeycloakShape_ReportsClaimNamesRolesAndChecks_AndSignsNobodyIn()
    {
        var provider = await StartProviderAsync(
            OidcPeerShape.Keycloak("corp"),
            new() { ["kate"] = new Dictionary<string, object?> { ["realm_access"] = new Dictionary<string, object?> { ["roles"] = new[] { "offline_access", AdminRole } } } });
        await SaveSettingsOffAsync(provider, form => { form.RoleClaimType = "realm_access.roles"; form.AdminRoleValue = AdminRole; });
        var admin = await WebSession.SignedInAsync(App, Admin, admin: true);

        var report = await ReportAsync(admin, await SsoBrowserFlow.TestSignInAsync(admin, provider, "kate"));

        Assert.Contains("A real sign-in would work. Creates the user kate@example.test and signs in.", report, StringComparison.Ordinal);
        Assert.Contains("realm_access.roles holds secretadmin-admins: this user would be an administrator.", report, StringComparison.Ordinal);
        Assert.Contains("kate@example.test from the email claim, verified by the provider.", report, StringComparison.Ordinal);
        Assert.Contains($"The discovery document and the ID token name the configured authority {provider.Address}.", report, StringComparison.Ordinal);
        Assert.Matches("claim-name\"[^>]*><span[^>]*>realm_access<", report);
        Assert.Contains(">offline_access<", report, StringComparison.Ordinal);
        // Nobody was signed in or created; the administrator is still themselves.
        await using (var db = await App.Services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync())
        {
            Assert.Empty(await db.UserLogins.ToListAsync());
            Assert.Equal([Admin], await db.Users.Select(u => u.Email!).ToListAsync());
        }

        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/admin/users")).StatusCode);
        var audited = Assert.Single(await AuditAsync(AuditActions.SsoTested));
        Assert.Equal((Admin, "would-create", provider.Address), (audited.Actor, audited.Reason, audited.Target));
        Assert.Empty(await AuditAsync(AuditActions.SsoSignedIn));
    }

    [Fact]
    public async Task ExistingUserOutsideTheAllowedDomains_ReportsTheRefusalAndTheFailedCheck()
    {
        await WebSession.CreateUserAsync(App, "kate@example.test", admin: false);
        var provider = await StartProviderAsync(OidcPeerShape.Default);
        await SaveSettingsOffAsync(provider, form => { form.LinkByVerifiedEmail = true; form.AllowedEmailDomains = "corp.test"; });
        var admin = await WebSession.SignedInAsync(App, Admin, admin: true);

        var report = await ReportAsync(admin, await SsoBrowserFlow.TestSignInAsync(admin, provider, "kate"));

        Assert.Contains("This email domain may not sign in here. A real sign-in would be refused.", report, StringComparison.Ordinal);
        Assert.Matches("data-check=\"Allowed email domains\" data-outcome=\"Failed\"", report);
        Assert.Contains("kate@example.test is not in an allowed domain.", report, StringComparison.Ordinal);
        Assert.Equal("domain-not-allowed", Assert.Single(await AuditAsync(AuditActions.SsoTested)).Reason);
    }

    [Fact]
    public async Task ProviderLyingAboutItsIssuer_ReportsTheIssuerCheckFailed_WithoutSendingTheBrowserThere()
    {
        var genuine = await StartProviderAsync(OidcPeerShape.Default);
        var liar = await StartProviderAsync(OidcPeerShape.Default with { LieIssuer = genuine.Issuer });
        await SaveSettingsOffAsync(liar, _ => { });
        var admin = await WebSession.SignedInAsync(App, Admin, admin: true);

        var report = await ReportAsync(admin, await SsoBrowserFlow.TestSignInAsync(admin, liar, "kate"));

        Assert.Matches("data-check=\"Issuer\" data-outcome=\"Failed\"", report);
        Assert.Contains("The identity provider is not the one configured. Nobody would be signed in.", report, StringComparison.Ordinal);
        Assert.DoesNotContain(liar.Requests, r => r.Contains("/auth", StringComparison.Ordinal));
        Assert.Equal("issuer-mismatch", Assert.Single(await AuditAsync(AuditActions.SsoTested)).Reason);
    }

    [Fact]
    public async Task IncompleteSettings_ReportWhyTheTestCannotStart()
    {
        var admin = await WebSession.SignedInAsync(App, Admin, admin: true);

        var start = await FormPost.SubmitAsync(admin, "/settings/oidc", null, new Dictionary<string, string>(), action: SsoDefaults.TestStart);
        var report = await ReportAsync(admin, start);

        Assert.Contains("The test cannot start: the authority or client id is missing.", report, StringComparison.Ordinal);
        Assert.Equal("unavailable", Assert.Single(await AuditAsync(AuditActions.SsoTested)).Reason);
    }

    [Fact]
    public async Task Report_IsShownOnlyToTheAdministratorWhoStartedIt_AndTheStartIsForAdministratorsOnly()
    {
        var provider = await StartProviderAsync(OidcPeerShape.Default);
        await SaveSettingsOffAsync(provider, _ => { });
        var admin = await WebSession.SignedInAsync(App, Admin, admin: true);
        var last = await SsoBrowserFlow.TestSignInAsync(admin, provider, "kate");
        var other = await WebSession.SignedInAsync(App, "other-admin@example.test", admin: true);
        var user = await WebSession.SignedInAsync(App, "user@example.test", admin: false);

        var otherView = await other.GetStringAsync(SsoBrowserFlow.Location(last));
        var userStart = await user.PostAsync(SsoDefaults.TestStart, new FormUrlEncodedContent([]));

        Assert.Contains("This test sign-in is not known", otherView, StringComparison.Ordinal);
        Assert.DoesNotContain("kate@example.test", otherView, StringComparison.Ordinal);
        Assert.NotEqual(HttpStatusCode.Redirect, userStart.StatusCode);
        Assert.Single(await AuditAsync(AuditActions.SsoTested));
    }
}
