using System.Security.Claims;
using Microsoft.Extensions.DependencyInjection;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Oidc;
using SecretAdmin.Features.Sso;
using SecretAdmin.ComponentTests.Support;

namespace SecretAdmin.ComponentTests.Features.Oidc;

/// <summary>The test sign-in's report page: what it shows of a report, and to whom.</summary>
public sealed class OidcTestSignInPageTests : MudComponentTestContext
{
    private const string AdminId = "admin-user-id";
    private static readonly DateTimeOffset At = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
    private readonly SsoTestRuns _runs = new(TimeProvider.System);
    private readonly RealServices _real = new();

    public OidcTestSignInPageTests()
    {
        var auth = AddAuthorization();
        auth.SetAuthorized("admin@example.test");
        auth.SetRoles("Admin");
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, AdminId));
        Services.AddSingleton(_runs);
        _real.AddTo(Services);
        RealServices.MigrateAsync(Services).GetAwaiter().GetResult();
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await base.DisposeAsyncCore();
        _real.Dispose();
    }

    private static SsoTestReport Report => new(
        At,
        "https://login.example.test/realms/corp",
        null,
        "A real sign-in would work. Creates the user kate@example.test and signs in.",
        ["email", "realm_access", "sub"],
        ["email", "email_verified", "groups"],
        ["offline_access", "secretadmin-admins"],
        [
            new("Issuer", SsoTestCheckOutcome.Passed, "The discovery document and the ID token name the configured authority."),
            new("Hosted domain", SsoTestCheckOutcome.NotConfigured, "No hosted-domain claim is required."),
            new("Administrator role", SsoTestCheckOutcome.Warning, "realm_access.roles does not hold admins: this user would not be an administrator."),
        ]);

    private async Task<string> CompletedRunAsync(string ownerId, SsoTestReport report)
    {
        var id = _runs.Start(ownerId, "admin@example.test");
        await _runs.CompleteAsync(Services.GetRequiredService<AuditLog>(), id, "admin@example.test", null, report);
        return id;
    }

    [Fact]
    public async Task Report_ShowsEachCheckTheClaimNamesAndTheRoleValues()
    {
        var id = await CompletedRunAsync(AdminId, Report);

        var page = Render<OidcTestSignInPage>(p => p.Add(x => x.Id, id));

        Assert.Equal("A real sign-in would work. Creates the user kate@example.test and signs in.", page.Find(".sso-test-outcome").TextContent.Trim());
        Assert.Contains("mud-alert-text-success", page.Find(".sso-test-outcome").ClassName, StringComparison.Ordinal);
        var checks = page.FindAll(".sso-test-check");
        Assert.Equal(["Issuer", "Hosted domain", "Administrator role"], checks.Select(c => c.GetAttribute("data-check")));
        Assert.Equal(["Passed", "Not set", "Warning"], checks.Select(c => c.QuerySelector(".sso-test-check-outcome")!.TextContent.Trim()));
        Assert.Equal(["email", "realm_access", "sub"], page.FindAll(".sso-test-id-token-claims .claim-name").Select(c => c.TextContent.Trim()));
        Assert.Equal(["email", "email_verified", "groups"], page.FindAll(".sso-test-user-info-claims .claim-name").Select(c => c.TextContent.Trim()));
        Assert.Contains("secretadmin-admins", page.Find(".sso-test-role-values").TextContent, StringComparison.Ordinal);
        Assert.Contains("Nobody was signed in and nothing was changed.", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailedExchange_ShowsTheFailureAndNoClaimSection()
    {
        var id = await CompletedRunAsync(AdminId, SsoTestReport.Failed(At, "https://login.example.test", SsoErrorKind.IssuerMismatch));

        var page = Render<OidcTestSignInPage>(p => p.Add(x => x.Id, id));

        Assert.Contains("mud-alert-text-error", page.Find(".sso-test-outcome").ClassName, StringComparison.Ordinal);
        Assert.Equal("The identity provider is not the one configured. Nobody would be signed in.", page.Find(".sso-test-outcome").TextContent.Trim());
        Assert.Equal("Failed", page.Find("[data-check=Issuer] .sso-test-check-outcome").TextContent.Trim());
        Assert.Empty(page.FindAll(".sso-test-id-token-claims"));
    }

    [Fact]
    public async Task AnotherAdministratorsRun_IsNotShown()
    {
        var id = await CompletedRunAsync("someone-else", Report);

        var page = Render<OidcTestSignInPage>(p => p.Add(x => x.Id, id));

        Assert.Contains("This test sign-in is not known", page.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("kate@example.test", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void RunStillAtTheProvider_SaysSo()
    {
        var id = _runs.Start(AdminId, "admin@example.test");

        var page = Render<OidcTestSignInPage>(p => p.Add(x => x.Id, id));

        Assert.Contains("The test sign-in has not come back yet", page.Markup, StringComparison.Ordinal);
    }
}
