using System.Net;
using Microsoft.EntityFrameworkCore;
using SecretAdmin.Data;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Oidc;
using SecretAdmin.Features.Sso;
using SecretAdmin.Features.Users;
using SecretAdmin.Tests.Support;
using SecretAdmin.Tests.Support.Peers;

namespace SecretAdmin.Tests.Features.Sso;

/// <summary>
/// Single sign-on against the real OpenID Connect peer configured the way real providers are:
/// Keycloak, Entra ID, ZITADEL and Google shapes, a provider that lies about its issuer, and one
/// that rotates its signing key.
/// </summary>
public sealed class SsoProviderShapesTests : SsoProviderTest
{
    private const string AdminRole = "secretadmin-admins";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    protected override string ClientSecret => "shape-client-secret-5e1d";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await WebSession.CreateUserAsync(App, "root@example.test", admin: true);
    }

    private Task SaveSettingsAsync(OidcPeer provider, Action<OidcSettingsForm> change) => SaveSettingsAsync(provider, enabled: true, change);

    private async Task<bool> IsAdminAsync(string email) =>
        (await App.Services.GetRequiredService<UserAdminService>().SearchAsync(new(email))).Items.Single().IsAdmin;

    private static Dictionary<string, IReadOnlyDictionary<string, object?>> Claims(string login, Dictionary<string, object?> claims) =>
        new() { [login] = claims };

    [Fact]
    public async Task Keycloak_Es256PostOnlyRealmPathAndNestedRealmRoles_SignsInAsAdministrator()
    {
        var provider = await StartProviderAsync(
            OidcPeerShape.Keycloak("corp"),
            Claims("kate", new() { ["realm_access"] = new Dictionary<string, object?> { ["roles"] = new[] { "offline_access", AdminRole } } }));
        await SaveSettingsAsync(provider, form => { form.RoleClaimType = "realm_access.roles"; form.AdminRoleValue = AdminRole; });

        var (app, last) = await SsoBrowserFlow.SignInAsync(App, provider, "kate", "/admin/users");

        Assert.Equal("/admin/users", SsoBrowserFlow.Location(last));
        Assert.True(await IsAdminAsync("kate@example.test"));
        Assert.Equal(HttpStatusCode.OK, (await app.GetAsync("/admin/users")).StatusCode);
        Assert.Contains("POST /realms/corp/token", provider.Requests);
    }

    [Fact]
    public async Task Keycloak_ClientRolesUnderResourceAccess_SignsInAsAdministrator()
    {
        var provider = await StartProviderAsync(
            OidcPeerShape.Keycloak("corp"),
            Claims("kim", new() { ["resource_access"] = new Dictionary<string, object?> { [OidcPeer.ClientId] = new Dictionary<string, object?> { ["roles"] = new[] { AdminRole } } } }));
        await SaveSettingsAsync(provider, form => { form.RoleClaimType = $"resource_access.{OidcPeer.ClientId}.roles"; form.AdminRoleValue = AdminRole; });

        await SsoBrowserFlow.SignInAsync(App, provider, "kim");

        Assert.True(await IsAdminAsync("kim@example.test"));
    }

    [Fact]
    public async Task Entra_BasicOnlyRolesArrayAndNoEmail_CreatesTheUserFromTheFallbackClaim()
    {
        var provider = await StartProviderAsync(
            OidcPeerShape.Entra(Guid.Parse("8f2a1c3e-5b7d-4e9f-a1b2-c3d4e5f60718")),
            Claims("erin", new() { ["email"] = null, ["email_verified"] = null, ["preferred_username"] = "erin@corp.example", ["roles"] = new[] { AdminRole } }));
        await SaveSettingsAsync(provider, form => { form.RoleClaimType = "roles"; form.AdminRoleValue = AdminRole; form.EmailClaimFallback = "preferred_username"; });

        var (_, last) = await SsoBrowserFlow.SignInAsync(App, provider, "erin");

        Assert.Equal("/account", SsoBrowserFlow.Location(last));
        Assert.True(await IsAdminAsync("erin@corp.example"));
    }

    [Fact]
    public async Task Entra_FallbackEmailOfAnExistingUser_IsNeverLinked()
    {
        await WebSession.CreateUserAsync(App, "erin@corp.example", admin: false);
        var provider = await StartProviderAsync(
            OidcPeerShape.Entra(Guid.Parse("8f2a1c3e-5b7d-4e9f-a1b2-c3d4e5f60718")),
            Claims("erin", new() { ["email"] = null, ["email_verified"] = null, ["preferred_username"] = "erin@corp.example" }));
        await SaveSettingsAsync(provider, form => { form.LinkByVerifiedEmail = true; form.EmailClaimFallback = "preferred_username"; });

        var (_, last) = await SsoBrowserFlow.SignInAsync(App, provider, "erin");

        Assert.Equal(SsoErrors.PathFor(SsoErrorKind.EmailInUse), SsoBrowserFlow.Location(last));
        await using var db = await App.Services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync();
        Assert.Empty(await db.UserLogins.ToListAsync());
    }

    [Fact]
    public async Task Zitadel_ObjectRolesAndTwoAudiences_SignsInAsAdministrator()
    {
        var provider = await StartProviderAsync(
            OidcPeerShape.Zitadel(),
            Claims("zoe", new() { ["urn:zitadel:iam:org:project:roles"] = new Dictionary<string, object?> { [AdminRole] = new Dictionary<string, object?> { ["2193"] = "corp.example" } } }));
        await SaveSettingsAsync(provider, form => { form.RoleClaimType = "urn:zitadel:iam:org:project:roles"; form.AdminRoleValue = AdminRole; });

        await SsoBrowserFlow.SignInAsync(App, provider, "zoe");

        Assert.True(await IsAdminAsync("zoe@example.test"));
    }

    [Fact]
    public async Task Google_HostedDomainCheck_LetsInOnlyThatDomain()
    {
        var provider = await StartProviderAsync(
            OidcPeerShape.Google(),
            new()
            {
                ["gina"] = new Dictionary<string, object?> { ["hd"] = "corp.example", ["email"] = "gina@corp.example" },
                ["gus"] = new Dictionary<string, object?> { ["hd"] = "other.example", ["email"] = "gus@other.example" },
            });
        await SaveSettingsAsync(provider, form => { form.HostedDomainClaim = "hd"; form.HostedDomains = "corp.example"; });

        var (_, gina) = await SsoBrowserFlow.SignInAsync(App, provider, "gina");
        var (_, gus) = await SsoBrowserFlow.SignInAsync(App, provider, "gus");

        Assert.Equal("/account", SsoBrowserFlow.Location(gina));
        Assert.Equal(SsoErrors.PathFor(SsoErrorKind.HostedDomainNotAllowed), SsoBrowserFlow.Location(gus));
    }

    [Fact]
    public async Task LyingIssuer_ProviderClaimingAnotherProvidersIssuer_SignsNobodyIn()
    {
        // carol is linked through the genuine provider; another provider claims to be it.
        var genuine = await StartProviderAsync(OidcPeerShape.Default);
        await SaveSettingsAsync(genuine, _ => { });
        await SsoBrowserFlow.SignInAsync(App, genuine, "carol");
        var liar = await StartProviderAsync(OidcPeerShape.Default with { LieIssuer = genuine.Issuer });

        // Saving it switched on is refused: its discovery names another issuer.
        var service = App.Services.GetRequiredService<OidcSettingsService>();
        var view = await service.GetAsync();
        var form = OidcSettingsForm.From(view);
        form.Authority = liar.Address;
        form.NewClientSecret = ClientSecret;
        var refused = await service.SaveAsync(AuditActor.Cli, form, view.Version);
        Assert.Contains("The provider's issuer is", Assert.Single(refused.Errors[nameof(OidcSettingsForm.Authority)]), StringComparison.Ordinal);

        // Pointed there anyway (saved off, switched on in the database), it still signs nobody in.
        await SaveSettingsAsync(liar, form => form.Enabled = false);
        await using (var db = await App.Services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync())
        {
            await db.Database.ExecuteSqlRawAsync("UPDATE \"OidcSettings\" SET \"Enabled\" = TRUE, \"Version\" = \"Version\" + 1");
        }

        var app = WebSession.Client(App);
        var start = await SsoBrowserFlow.StartAsync(app, "/account");

        Assert.Equal(SsoErrors.PathFor(SsoErrorKind.IssuerMismatch), SsoBrowserFlow.Location(start));
        Assert.DoesNotContain(liar.Requests, r => r.Contains("/auth", StringComparison.Ordinal) || r.StartsWith("POST", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Redirect, (await app.GetAsync("/account")).StatusCode);
        Assert.Contains(await AuditAsync(AuditActions.SsoFailed), e => e.Reason == SsoErrors.Code(SsoErrorKind.IssuerMismatch));
    }

    [Fact]
    public async Task SigningKeyRotated_FirstSignInAfterTheRotation_Succeeds()
    {
        var provider = await StartProviderAsync(OidcPeerShape.Default with { KidRotateAfter = 1 });
        await SaveSettingsAsync(provider, _ => { });

        var (_, before) = await SsoBrowserFlow.SignInAsync(App, provider, "rita");
        await provider.WaitForEventAsync("signing_key.rotated", Wait);
        var (app, after) = await SsoBrowserFlow.SignInAsync(App, provider, "rita");

        Assert.Equal("/account", SsoBrowserFlow.Location(before));
        Assert.Equal("/account", SsoBrowserFlow.Location(after));
        Assert.Equal(HttpStatusCode.OK, (await app.GetAsync("/account")).StatusCode);
        // The keys were read when the first sign-in began and once more for the new key.
        Assert.Equal(2, provider.Requests.Count(r => r == "GET /jwks"));
        Assert.DoesNotContain(await AuditAsync(AuditActions.SsoFailed), e => e.Reason == SsoErrors.Code(SsoErrorKind.TokenSignature));
    }

    [Fact]
    public async Task SigningKeyRotatedAgainWithinTheRefreshInterval_SignInFailsWithoutReadingTheKeysAgain()
    {
        // The peer rotates right after each ID token, before the app has read it: the refresh for the
        // second token's key (k2) already sees k3, which the third token uses. k4 comes within the
        // refresh interval, so its kid stays unknown.
        var provider = await StartProviderAsync(OidcPeerShape.Default with { KidRotateAfter = 1 });
        await SaveSettingsAsync(provider, _ => { });
        for (var signIn = 1; signIn <= 3; signIn++)
        {
            var (_, signedIn) = await SsoBrowserFlow.SignInAsync(App, provider, "rita");
            Assert.Equal("/account", SsoBrowserFlow.Location(signedIn));
        }

        var (app, fourth) = await SsoBrowserFlow.SignInAsync(App, provider, "rita");
        var (_, fifth) = await SsoBrowserFlow.SignInAsync(App, provider, "rita");

        Assert.Equal(SsoErrors.PathFor(SsoErrorKind.TokenSignature), SsoBrowserFlow.Location(fourth));
        Assert.Equal(SsoErrors.PathFor(SsoErrorKind.TokenSignature), SsoBrowserFlow.Location(fifth));
        Assert.Equal(HttpStatusCode.Redirect, (await app.GetAsync("/account")).StatusCode);
        Assert.Equal(2, provider.Requests.Count(r => r == "GET /jwks"));
        Assert.Equal(2, (await AuditAsync(AuditActions.SsoFailed)).Count(e => e.Reason == SsoErrors.Code(SsoErrorKind.TokenSignature)));
    }
}
