using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using MudBlazor;
using SecretAdmin.Components.Pages;
using SecretAdmin.Data;
using SecretAdmin.Features.Health;
using SecretAdmin.Security;

namespace SecretAdmin.ComponentTests.Components.Pages;

public class HomeTests : MudComponentTestContext
{
    public HomeTests()
    {
        Services.AddLogging();
    }

    [Fact]
    public void Render_Always_ShowsHeadingAndSummary()
    {
        Services.AddHealthChecks();

        var cut = Render<Home>();

        Assert.Equal("Home", cut.Find("h1").TextContent.Trim());
        Assert.Contains("AES-256-GCM", cut.Find(".page-header").TextContent);
        Assert.Equal("System status", cut.Find("h2").TextContent.Trim());
    }

    [Fact]
    public void Render_KnownChecks_ShowsFriendlyTitleStatusAndDescription()
    {
        Services.AddHealthChecks()
            .AddCheck("database", () => HealthCheckResult.Healthy("Database is reachable."))
            .AddCheck("key-ring", () => HealthCheckResult.Degraded("Key ring has no spare key."));

        var cut = Render<Home>();

        var database = cut.WaitForElement("[data-check='database']");
        Assert.Equal("Database", database.QuerySelector(".status-entry-title")!.TextContent.Trim());
        Assert.Equal("Database is reachable.", database.QuerySelector(".status-entry-description")!.TextContent.Trim());
        Assert.Equal("Healthy", database.QuerySelector(".status-chip")!.TextContent.Trim());

        var keyRing = cut.Find("[data-check='key-ring']");
        Assert.Equal("Keys", keyRing.QuerySelector(".status-entry-title")!.TextContent.Trim());
        Assert.Equal("Key ring has no spare key.", keyRing.QuerySelector(".status-entry-description")!.TextContent.Trim());
        Assert.Equal("Degraded", keyRing.QuerySelector(".status-chip")!.TextContent.Trim());
    }

    [Fact]
    public void Render_ChecksOfEachStatus_ColoursChipsSuccessWarningError()
    {
        Services.AddHealthChecks()
            .AddCheck("database", () => HealthCheckResult.Healthy("ok"))
            .AddCheck("key-ring", () => HealthCheckResult.Degraded("slow"))
            .AddCheck("mail", () => HealthCheckResult.Unhealthy("down"));

        var cut = Render<Home>();

        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindComponents<MudChip<string>>().Count));
        var colours = cut.FindComponents<MudChip<string>>()
            .ToDictionary(chip => chip.Find(".status-chip").TextContent.Trim(), chip => chip.Instance.Color);
        Assert.Equal(Color.Success, colours["Healthy"]);
        Assert.Equal(Color.Warning, colours["Degraded"]);
        Assert.Equal(Color.Error, colours["Unhealthy"]);
        Assert.Contains("mud-chip-color-error", cut.Find("[data-check='mail'] .status-chip").ClassName);
    }

    [Fact]
    public void Render_UnknownCheck_UsesItsNameAsTitle()
    {
        Services.AddHealthChecks().AddCheck("mail-relay", () => HealthCheckResult.Healthy("ok"));

        var cut = Render<Home>();

        Assert.Equal("mail-relay", cut.WaitForElement("[data-check='mail-relay'] .status-entry-title").TextContent.Trim());
    }

    [Fact]
    public void Render_NoChecks_ShowsEmptyState()
    {
        Services.AddHealthChecks();

        var cut = Render<Home>();

        Assert.Contains("No health checks are registered.", cut.WaitForElement(".status-empty").TextContent);
        Assert.Empty(cut.FindAll(".status-entry"));
    }

    [Fact]
    public void Render_WhileChecking_ShowsProgressThenResults()
    {
        var release = new TaskCompletionSource<HealthCheckResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        Services.AddHealthChecks().AddAsyncCheck("database", () => release.Task);

        var cut = Render<Home>();

        Assert.NotNull(cut.Find(".status-progress"));
        Assert.Equal("true", cut.Find(".status-card").GetAttribute("aria-busy"));
        Assert.Empty(cut.FindAll(".status-entry"));

        release.SetResult(HealthCheckResult.Healthy("ok"));

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll(".status-progress")));
        Assert.Single(cut.FindAll(".status-entry"));
    }

    [Fact]
    public void Render_CheckThrows_HidesExceptionMessage()
    {
        Services.AddHealthChecks().AddCheck("key-ring", new ThrowingHealthCheck("cannot open /var/lib/secretadmin/keyring.json"));

        var cut = Render<Home>();

        var entry = cut.WaitForElement("[data-check='key-ring']");
        Assert.Equal("Unhealthy", entry.QuerySelector(".status-chip")!.TextContent.Trim());
        Assert.Equal("The check failed. The server log has the details.", entry.QuerySelector(".status-entry-description")!.TextContent.Trim());
        Assert.DoesNotContain("keyring.json", cut.Markup);
    }

    [Fact]
    public void Render_HealthServiceFails_ShowsGenericMessageOnly()
    {
        Services.AddSingleton<HealthCheckService>(new FailingHealthCheckService("connection string Password=hunter2"));

        var cut = Render<Home>();

        cut.WaitForAssertion(() => Assert.Contains("could not be checked", cut.Find(".status-message").TextContent));
        Assert.DoesNotContain("hunter2", cut.Markup);
        Assert.Empty(cut.FindAll(".status-progress"));
    }

    [Fact]
    public void RefreshButton_Clicked_ChecksAgain()
    {
        var calls = 0;
        Services.AddHealthChecks().AddCheck("database", () =>
        {
            calls++;
            return calls == 1 ? HealthCheckResult.Unhealthy("down") : HealthCheckResult.Healthy("back");
        });
        var cut = Render<Home>();
        cut.WaitForAssertion(() => Assert.Equal("Unhealthy", cut.Find("[data-check='database'] .status-chip").TextContent.Trim()));

        cut.Find(".status-refresh").Click();

        cut.WaitForAssertion(() => Assert.Equal("Healthy", cut.Find("[data-check='database'] .status-chip").TextContent.Trim()));
        Assert.Equal("back", cut.Find("[data-check='database'] .status-entry-description").TextContent.Trim());
    }

    [Fact]
    public void Render_Always_RefreshButtonHasAccessibleName()
    {
        Services.AddHealthChecks();

        var cut = Render<Home>();

        Assert.Equal("Check again", cut.Find(".status-refresh").GetAttribute("aria-label"));
    }

    [Fact]
    public void Render_SingleSignOnCheck_NamesItInWords()
    {
        Services.AddHealthChecks().AddCheck("sso", () => HealthCheckResult.Healthy("off"));

        var cut = Render<Home>();

        Assert.Equal("Single sign-on", cut.WaitForElement("[data-check='sso'] .status-entry-title").TextContent.Trim());
        Assert.DoesNotContain(">sso<", cut.Markup, StringComparison.Ordinal);
    }
}
