using SecretAdmin.EndToEnd.Support;
using SecretAdmin.EndToEnd.Support.Cluster;
using Xunit.Sdk;
using static Microsoft.Playwright.Assertions;

namespace SecretAdmin.EndToEnd.Hosting;

/// <summary>
/// The rehearsal of README's "Run several nodes" in Chromium: two published nodes on one PostgreSQL
/// database with one master key, behind haproxy with the operator's deploy/haproxy.cfg. A setting saved
/// through one node shows on the other, and when a node dies (SIGKILL) its browser carries on, still
/// signed in, through the other — the session keys being in the database.
/// </summary>
public sealed class TwoNodeRehearsalEndToEndTests(ChromiumFixture chromium, TwoNodeCluster cluster)
    : IClassFixture<ChromiumFixture>, IClassFixture<TwoNodeCluster>, IAsyncLifetime
{
    private const string SmtpHost = "smtp.rehearsal.example";
    private const string SmtpFrom = "no-reply@rehearsal.example";

    private readonly Screenshots _screenshots = Screenshots.For<TwoNodeRehearsalEndToEndTests>();
    private readonly List<IBrowserContext> _contexts = [];

    private HaproxyBalancer Balancer => cluster.Balancer;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _screenshots.SaveTextAsync("node-a.log", cluster.NodeA.Log);
        await _screenshots.SaveTextAsync("node-b.log", cluster.NodeB.Log);
        await _screenshots.SaveTextAsync("haproxy.log", Balancer.Log);
        foreach (var context in _contexts)
        {
            await context.DisposeAsync();
        }
    }

    [Fact]
    public async Task AdminOnTwoNodes_NodeKilled_CarriesOnSignedInThroughTheOther()
    {
        var first = await OpenBrowserPinnedToAsync(cluster.NodeA.Name);

        await StepAsync(first, "browser 1 signs in on node a", async () =>
        {
            await SignInAsync(first);
            Assert.Equal(cluster.NodeA.Name, await PinnedNodeAsync(first));
        });

        await StepAsync(first, "browser 1 saves the smtp host on node a", async () =>
        {
            var mark = Balancer.LogMark();
            await first.GotoAsync("/settings/smtp");
            await first.WaitForInteractiveAsync("#smtp-host");
            await FillAsync(first, "#smtp-host", SmtpHost);
            await FillAsync(first, "#smtp-from", SmtpFrom);
            await first.Locator(".settings-save").ClickAsync();
            await Expect(first.Locator(".mud-snackbar")).ToContainTextAsync("SMTP settings saved.");
            Assert.Equal([cluster.NodeA.Name], await Balancer.ServersOfAsync("/settings/smtp", mark));
        });

        var second = await OpenBrowserPinnedToAsync(cluster.NodeB.Name);

        await StepAsync(second, "browser 2 signs in on node b", async () =>
        {
            await SignInAsync(second);
            Assert.Equal(cluster.NodeB.Name, await PinnedNodeAsync(second));
        });

        await StepAsync(second, "browser 2 sees the smtp host on node b", async () =>
        {
            var mark = Balancer.LogMark();
            await second.GotoAsync("/settings/smtp");
            await second.WaitForInteractiveAsync("#smtp-host");
            await Expect(second.Locator("#smtp-host")).ToHaveValueAsync(SmtpHost);
            await Expect(second.Locator("#smtp-from")).ToHaveValueAsync(SmtpFrom);
            Assert.Equal([cluster.NodeB.Name], await Balancer.ServersOfAsync("/settings/smtp", mark));
        });

        await StepAsync(first, "node a killed, browser 1 loses its circuit", async () =>
        {
            await first.EvaluateAsync("() => { window.__servedBeforeTheNodeDied = true; }");
            await cluster.NodeA.KillAsync();
            await Expect(first.GetByText("Rejoining the server")).ToBeVisibleAsync();
        });

        await StepAsync(first, "browser 1 carries on signed in through node b", async () =>
        {
            // haproxy takes node A out after its health checks fail (`inter 2s fall 3`) and re-pins its
            // browsers; Blazor's next reconnect reaches node B, which does not know the circuit, so the
            // page loads again there on its own (README: "When a node dies").
            var mark = Balancer.LogMark();
            Assert.Equal(cluster.NodeB.Name, await Balancer.WaitUntilRoutedAwayFromAsync(cluster.NodeA.Name, TimeSpan.FromSeconds(30)));
            await first.WaitForFunctionAsync("() => window.__servedBeforeTheNodeDied === undefined", null, new() { Timeout = 60_000 });
            await first.WaitForInteractiveAsync("#smtp-host");
            Assert.Equal($"{Balancer.BaseUrl}/settings/smtp", first.Url);
            await Expect(first.Locator(".nav-user-email")).ToHaveTextAsync(TwoNodeCluster.AdminEmail);
            await Expect(first.Locator("#smtp-host")).ToHaveValueAsync(SmtpHost);
            Assert.Equal(cluster.NodeB.Name, await PinnedNodeAsync(first));
            Assert.Equal([cluster.NodeB.Name], await Balancer.ServersOfAsync("/settings/smtp", mark));
        });

        await StepAsync(first, "browser 1 opens smtp settings again on node b", async () =>
        {
            var mark = Balancer.LogMark();
            await first.GotoAsync("/");
            await first.GotoAsync("/settings/smtp");
            await first.WaitForInteractiveAsync("#smtp-host");
            await Expect(first.Locator("#smtp-host")).ToHaveValueAsync(SmtpHost);
            Assert.Equal([cluster.NodeB.Name], await Balancer.ServersOfAsync("/settings/smtp", mark));
        });
    }

    /// <summary>A browser whose haproxy cookie already names <paramref name="node"/>, as if haproxy had picked it.</summary>
    private async Task<IPage> OpenBrowserPinnedToAsync(string node)
    {
        var context = await chromium.NewContextAsync(Balancer.BaseUrl, ignoreHttpsErrors: true);
        _contexts.Add(context);
        await context.AddCookiesAsync([new Cookie { Name = "SRV", Value = node, Url = Balancer.BaseUrl, Secure = true, HttpOnly = true }]);
        return await context.NewPageAsync();
    }

    private static async Task<string?> PinnedNodeAsync(IPage page) =>
        (await page.Context.CookiesAsync()).SingleOrDefault(c => c.Name == "SRV")?.Value;

    private async Task SignInAsync(IPage page)
    {
        await page.GotoAsync("/account/login");
        await page.Locator("#email").FillAsync(TwoNodeCluster.AdminEmail);
        await page.Locator("#password").FillAsync(cluster.AdminPassword);
        await page.Locator("form:not(.sso-form) button[type=submit]").ClickAsync();
        await page.WaitForURLAsync(url => !new Uri(url).AbsolutePath.StartsWith("/account/", StringComparison.Ordinal));
        await page.WaitForInteractiveAsync(".nav-user-email");
        await Expect(page.Locator(".nav-user-email")).ToHaveTextAsync(TwoNodeCluster.AdminEmail);
        await Expect(page.Locator(".nav-settings")).ToBeVisibleAsync();
        // The home page's system status names the engine the node runs on.
        await Expect(page.Locator(".status-list")).ToContainTextAsync("PostgreSQL");
    }

    /// <summary>Types a value and tabs out, so the bound value commits on the circuit.</summary>
    private static async Task FillAsync(IPage page, string selector, string value)
    {
        var input = page.Locator(selector);
        await input.FillAsync(value);
        await input.PressAsync("Tab");
        await Expect(input).ToHaveValueAsync(value);
    }

    /// <summary>Runs one step, then screenshots <paramref name="page"/>; a failed step says which, with every log.</summary>
    private async Task StepAsync(IPage page, string name, Func<Task> step)
    {
        try
        {
            await step();
        }
        catch (Exception exception)
        {
            string screenshot;
            try
            {
                screenshot = await _screenshots.TakeAsync(page, $"{name} failed");
            }
            catch (PlaywrightException screenshotFailure)
            {
                screenshot = $"(none: {screenshotFailure.Message})";
            }

            throw new XunitException(
                $"Step \"{name}\" failed at {page.Url}: {exception.Message}\nScreenshot: {screenshot}\n"
                + $"haproxy's log (end):\n{Tail(Balancer.Log)}\nnode-a's log (end):\n{Tail(cluster.NodeA.Log)}\nnode-b's log (end):\n{Tail(cluster.NodeB.Log)}",
                exception);
        }

        await _screenshots.TakeAsync(page, name);
    }

    private static string Tail(string log, int characters = 3000) => log.Length <= characters ? log : "…" + log[^characters..];
}
