using Microsoft.Playwright;

namespace SecretAdmin.Benchmarks.Circuits;

/// <summary>
/// The machine's headless Chromium, launched as the end-to-end tests launch it
/// (tests/SecretAdmin.EndToEnd/Support/ChromiumFixture.cs); Playwright never downloads a browser here.
/// </summary>
internal sealed class CircuitBrowser : IAsyncDisposable
{
    public const string ExecutablePath = "/usr/bin/chromium";

    /// <summary>How long one page may take to open and connect; generous for a busy 2-core machine.</summary>
    private const float TimeoutMilliseconds = 60_000;

    // The end-to-end tests' check (Support/BlazorPage.cs): once the circuit has rendered, the
    // prerendered elements have been replaced, so an element that was not in the page at
    // DOMContentLoaded was rendered by the live circuit.
    private const string RememberPrerenderedElements = """
        document.addEventListener('DOMContentLoaded', () => {
          window.__secretAdminPrerendered = new WeakSet(document.querySelectorAll('body *'));
        });
        """;

    private const string RenderedByTheCircuit = """
        selector => {
          const prerendered = window.__secretAdminPrerendered;
          const element = document.querySelector(selector);
          return prerendered !== undefined && element !== null && !prerendered.has(element);
        }
        """;

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private CircuitBrowser(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        _browser = browser;
    }

    public string Version => _browser.Version;

    public static async Task<CircuitBrowser> LaunchAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException(
                $"Chromium is not installed ({ExecutablePath} is missing): apt-get install chromium. `playwright install` cannot download a browser here.");
        }

        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
            ],
        });
        return new CircuitBrowser(playwright, browser);
    }

    /// <summary>Signs in on the server-rendered sign-in page and returns the session (cookies) for <see cref="NewContextAsync"/>.</summary>
    public async Task<string> SignInAsync(string baseUrl, string email, string password)
    {
        await using var context = await NewContextAsync(baseUrl, storageState: null);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/account/login");
        await page.Locator("#email").FillAsync(email);
        await page.Locator("#password").FillAsync(password);
        await page.Locator("form button[type=submit]").ClickAsync();
        await page.WaitForURLAsync(url => !new Uri(url).AbsolutePath.StartsWith("/account/", StringComparison.Ordinal));
        return await context.StorageStateAsync();
    }

    /// <summary>A fresh context holding <paramref name="storageState"/>'s cookies, whose relative URLs resolve against <paramref name="baseUrl"/>.</summary>
    public async Task<IBrowserContext> NewContextAsync(string baseUrl, string? storageState)
    {
        var context = await _browser.NewContextAsync(new()
        {
            BaseURL = baseUrl,
            StorageState = storageState,
            ViewportSize = new() { Width = 1280, Height = 900 },
            Locale = "en-US",
            TimezoneId = "UTC",
        });
        context.SetDefaultTimeout(TimeoutMilliseconds);
        context.SetDefaultNavigationTimeout(TimeoutMilliseconds);
        await context.AddInitScriptAsync(RememberPrerenderedElements);
        return context;
    }

    /// <summary>
    /// Opens <paramref name="count"/> pages of <paramref name="side"/> in <paramref name="context"/>,
    /// <paramref name="parallel"/> at a time, each until its circuit has rendered it; the pages stay open.
    /// </summary>
    public static Task OpenPagesAsync(IBrowserContext context, CircuitSide side, int count, int parallel) =>
        Parallel.ForEachAsync(
            Enumerable.Range(0, count),
            new ParallelOptions { MaxDegreeOfParallelism = parallel },
            async (_, _) => await OpenPageAsync(context, side));

    private static async Task OpenPageAsync(IBrowserContext context, CircuitSide side)
    {
        var page = await context.NewPageAsync();
        var response = await page.GotoAsync(side.Path);
        if (response is not { Status: 200 } || new Uri(page.Url).AbsolutePath != side.Path)
        {
            throw new InvalidOperationException($"GET {side.Path} answered {response?.Status.ToString() ?? "nothing"} at {page.Url}, not the page.");
        }

        await page.WaitForFunctionAsync(RenderedByTheCircuit, CircuitSide.LayoutMarker);
        if (side.PageMarker is not null)
        {
            await page.WaitForFunctionAsync(RenderedByTheCircuit, side.PageMarker);
        }

        await page.WaitForFunctionAsync("title => document.title === title", side.Title);
        if (await page.Locator("#blazor-error-ui").IsVisibleAsync())
        {
            throw new InvalidOperationException($"{side.Path} shows the unhandled-error bar.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
