using Microsoft.Playwright;
using SecretAdmin.EndToEnd.Support;
using SecretAdmin.Tests.Support.Peers;
using static Microsoft.Playwright.Assertions;

namespace SecretAdmin.EndToEnd.Features.Sso;

/// <summary>
/// Single sign-on in Chromium against providers shaped like real ones (<see cref="OidcPeerShape"/>):
/// Keycloak (ES256, client_secret_post only, realm path, roles nested in realm_access) and Entra ID
/// (client_secret_basic only, tenant path, a roles array, no email claim). The class shares one app;
/// each test configures single sign-on itself with the command line and signs in with login names
/// (and so email addresses) no other test uses, so the tests do not depend on their order.
/// </summary>
public sealed class SsoProviderShapesEndToEndTests(ChromiumFixture chromium, SecretAdminServer app)
    : SsoBrowserTest<SsoProviderShapesEndToEndTests>(chromium, app), IClassFixture<ChromiumFixture>, IClassFixture<SecretAdminServer>
{
    private const string AdminRole = "secretadmin-admins";

    private static readonly Guid EntraTenant = Guid.Parse("8f2a1c3e-5b7d-4e9f-a1b2-c3d4e5f60718");

    [Fact]
    public async Task Keycloak_NestedRealmRoles_SignsInAsAnAdministrator()
    {
        var provider = await StartProviderAsync(
            "keycloak-provider",
            OidcPeerShape.Keycloak("corp"),
            Claims("kate", new() { ["realm_access"] = new Dictionary<string, object?> { ["roles"] = new[] { AdminRole } } }));
        Assert.Equal($"{provider.Origin}/realms/corp", provider.Address);
        await ConfigureSsoWithCliAsync(
            provider.Address, ClientSecret, buttonLabel: "Corp Keycloak", roleClaimType: "realm_access.roles", adminRoleValue: AdminRole);

        await StepAsync("the users page sends a visitor to sign in", async () =>
        {
            await Page.GotoAsync("/admin/users");
            await Page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/account/login");
            await Expect(Page.Locator("form.sso-form .sso-sign-in")).ToHaveTextAsync("Sign in with Corp Keycloak");
            await AssertNoSecretInPageAsync();
        });

        await StepAsync("the button opens the keycloak realm's login page", () => ClickSsoButtonAsync(provider));

        await StepAsync("kate signs in at the provider", () => SignInAtProviderAsync("kate", expectedPath: "/admin/users"));

        await StepAsync("kate is an administrator on the users page", async () =>
        {
            await ExpectSignedInAdministratorAsync("kate@example.test");
            await Expect(Page.Locator("h1")).ToHaveTextAsync("Users");
            await Expect(Page.Locator("table")).ToContainTextAsync("kate@example.test");
            await AssertNoSecretInPageAsync();
        });

        // The app found the token endpoint under the realm path and authenticated there with the post method.
        Assert.Contains("POST /realms/corp/token", provider.Requests);
        AssertNoSecretInAppLog();
    }

    [Fact]
    public async Task Entra_RolesArrayAndNoEmailClaim_SignsInAsAnAdministratorWithTheFallbackEmail()
    {
        var provider = await StartEntraProviderAsync("entra-provider", "erin");
        await ConfigureEntraWithCliAsync(provider, allowedEmailDomains: "");

        await StepAsync("the sign-in page offers entra id", OpenSignInPageAsync);

        await StepAsync("the button opens the tenant's login page", () => ClickSsoButtonAsync(provider));

        await StepAsync("erin signs in at the provider", () => SignInAtProviderAsync("erin"));

        await StepAsync("erin is signed in as an administrator", () => ExpectSignedInAdministratorAsync("erin@corp.example"));

        await StepAsync("erin opens the users page", async () =>
        {
            await Page.GotoAsync("/admin/users");
            await Expect(Page.Locator("h1")).ToHaveTextAsync("Users");
            await Expect(Page.Locator("table")).ToContainTextAsync("erin@corp.example");
            await AssertNoSecretInPageAsync();
        });

        Assert.Contains($"POST /{EntraTenant:D}/v2.0/token", provider.Requests);
        AssertNoSecretInAppLog();
    }

    [Fact]
    public async Task Entra_FallbackEmailOutsideTheAllowedDomains_ShowsTheDomainErrorPage_AndSignsNobodyIn()
    {
        // Not erin: the other test may have created erin@corp.example, whose email is then in use.
        var provider = await StartEntraProviderAsync("entra-refusing-provider", "ezra");
        await ConfigureEntraWithCliAsync(provider, allowedEmailDomains: "corp.test");

        await StepAsync("the sign-in page offers entra id before the refusal", OpenSignInPageAsync);

        await StepAsync("the button opens the tenant's login page before the refusal", () => ClickSsoButtonAsync(provider));

        await StepAsync("ezra of corp example is refused", async () =>
        {
            await FillProviderLoginAsync("ezra");
            await Page.WaitForURLAsync(IsSsoError);
            Assert.Equal("reason=domain-not-allowed", new Uri(Page.Url).Query.TrimStart('?'));
            await Expect(Page.Locator("h1")).ToHaveTextAsync("This email domain may not sign in here");
            await Expect(Page.Locator(".sso-error")).ToContainTextAsync("Your email address is not in a domain that SecretAdmin accepts");
            await Expect(Page.Locator(".sso-error-back")).ToHaveAttributeAsync("href", "/account/login");
            await Expect(Page.Locator(".nav-user-email")).ToHaveCountAsync(0);
            await AssertNoSecretInPageAsync();
        });

        await StepAsync("ezra has no session", async () =>
        {
            await Page.GotoAsync("/account");
            await Page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/account/login");
            await Expect(Page.Locator(".nav-user-email")).ToHaveCountAsync(0);
        });

        AssertNoSecretInAppLog();
    }

    [Fact]
    public async Task TestSignIn_ShowsTheAdministratorTheClaimThatHoldsTheRoles_WithoutSigningAnyoneIn()
    {
        var provider = await StartEntraProviderAsync("entra-test-provider", "tess");
        // Not offered yet, and the role claim guessed wrong (Entra ID sends app roles in roles, not groups).
        await ConfigureSsoWithCliAsync(
            provider.Address, ClientSecret, buttonLabel: "Entra ID", roleClaimType: "groups", adminRoleValue: AdminRole, emailClaimFallback: "preferred_username", enabled: false);
        IPage report = null!;

        await StepAsync("the administrator opens the oidc settings", async () =>
        {
            await SignInAsAdminAsync();
            await Page.GotoAsync("/settings/oidc");
            await Expect(Page.Locator(".oidc-test-sign-in-start")).ToBeEnabledAsync();
        });

        await StepAsync("test sign-in opens the provider in a new tab", async () =>
        {
            report = await Page.RunAndWaitForPopupAsync(() => Page.Locator(".oidc-test-sign-in-start").ClickAsync());
            await report.WaitForURLAsync(url => url.StartsWith($"{provider.Address}/interaction/", StringComparison.Ordinal));
            await report.Locator("input[name=login]").FillAsync("tess");
            await report.Locator("input[name=password]").FillAsync("any password");
            await report.Locator("button[type=submit]").ClickAsync();
            await report.WaitForURLAsync(url => url.StartsWith($"{App.BaseUrl}/settings/oidc/test-sign-in/", StringComparison.Ordinal));
        });

        await StepAsync("the report names the roles claim and says the mapping grants nothing", async () =>
        {
            await Expect(report.Locator("h1")).ToHaveTextAsync("Test sign-in");
            await Expect(report.Locator(".sso-test-outcome")).ToContainTextAsync("A real sign-in would work. Creates the user tess@corp.example");
            await Expect(report.Locator("[data-check='Administrator role']")).ToHaveAttributeAsync("data-outcome", "Warning");
            await Expect(report.Locator("[data-check='Administrator role']")).ToContainTextAsync("this user would not be an administrator");
            await Expect(report.Locator(".sso-test-id-token-claims .claim-name", new() { HasTextString = "roles" })).ToHaveCountAsync(1);
            await Expect(report.Locator(".sso-test-role-values")).ToHaveTextAsync("staff");
            AssertNoSecretIn(await report.ContentAsync(), "The test sign-in report");
            await Screenshots.TakeAsync(report, "the test sign-in report");
            // Narrow and dark, read again: the report stays for the administrator who ran it.
            await report.SetViewportSizeAsync(400, 900);
            await report.Context.AddCookiesAsync([new Cookie { Name = "SecretAdmin.Theme", Value = "dark", Url = App.BaseUrl }]);
            await report.ReloadAsync();
            await Expect(report.Locator(".sso-test-check")).ToHaveCountAsync(8);
            await Screenshots.TakeAsync(report, "the test sign-in report at 400 px, dark");
            await report.Context.ClearCookiesAsync(new() { Name = "SecretAdmin.Theme" });
        });

        await StepAsync("the administrator is still signed in and nobody was created", async () =>
        {
            await Page.GotoAsync("/admin/users");
            await Expect(Page.Locator(".nav-user-email")).ToHaveTextAsync(SecretAdminServer.AdminEmail);
            await Expect(Page.Locator("table")).Not.ToContainTextAsync("tess@corp.example");
        });

        AssertNoSecretInAppLog();
    }

    /// <summary>An Entra ID tenant whose <paramref name="login"/> has no email claim, a preferred_username at corp.example and the administrators' app role.</summary>
    private Task<OidcPeer> StartEntraProviderAsync(string name, string login) =>
        StartProviderAsync(
            name,
            OidcPeerShape.Entra(EntraTenant),
            Claims(login, new()
            {
                ["email"] = null,
                ["email_verified"] = null,
                ["preferred_username"] = $"{login}@corp.example",
                ["roles"] = new[] { AdminRole },
            }));

    private Task ConfigureEntraWithCliAsync(OidcPeer provider, string allowedEmailDomains) =>
        ConfigureSsoWithCliAsync(
            provider.Address,
            ClientSecret,
            buttonLabel: "Entra ID",
            roleClaimType: "roles",
            adminRoleValue: AdminRole,
            emailClaimFallback: "preferred_username",
            allowedEmailDomains: allowedEmailDomains);

    private async Task OpenSignInPageAsync()
    {
        await Page.GotoAsync("/account/login");
        await Expect(Page.Locator("form.sso-form .sso-sign-in")).ToHaveTextAsync("Sign in with Entra ID");
        await AssertNoSecretInPageAsync();
    }

    private async Task ExpectSignedInAdministratorAsync(string email)
    {
        await Expect(Page.Locator(".nav-user-email")).ToHaveTextAsync(email);
        await Expect(Page.Locator(".nav-admin")).ToBeVisibleAsync();
        await AssertNoSecretInPageAsync();
    }

    private static Dictionary<string, IReadOnlyDictionary<string, object?>> Claims(string login, Dictionary<string, object?> claims) =>
        new() { [login] = claims };
}
