namespace SecretAdmin.EndToEnd.Support;

/// <summary>
/// The machine's headless Chromium (/usr/bin/chromium, which tests/run.sh installs), one per test
/// class (an xunit class fixture). Each test opens its own context: its own cookies and storage.
/// Playwright never downloads a browser here.
/// </summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    /// <summary>How long one Playwright action or expectation may wait; generous for a busy 2-core machine.</summary>
    public const float TimeoutMilliseconds = 20_000;

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("The browser has not been started.");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException(
                $"Chromium is not installed ({ExecutablePath} is missing). Run tests/run.sh, which installs it "
                + "(apt-get install chromium); `playwright install` cannot download a browser here.");
        }

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
            ],
        });
    }

    /// <summary>
    /// A fresh context whose relative URLs resolve against <paramref name="baseUrl"/>; with
    /// <paramref name="ignoreHttpsErrors"/>, it accepts a test's self-signed certificate.
    /// </summary>
    public async Task<IBrowserContext> NewContextAsync(string baseUrl, bool ignoreHttpsErrors = false)
    {
        var context = await Browser.NewContextAsync(new()
        {
            BaseURL = baseUrl,
            IgnoreHTTPSErrors = ignoreHttpsErrors,
            ViewportSize = new() { Width = 1280, Height = 900 },
            Locale = "en-US",
            TimezoneId = "UTC",
        });
        context.SetDefaultTimeout(TimeoutMilliseconds);
        context.SetDefaultNavigationTimeout(TimeoutMilliseconds);
        await BlazorPage.TrackPrerenderingAsync(context);
        return context;
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}
