using Xunit.Sdk;

namespace SecretAdmin.EndToEnd.Support;

/// <summary>
/// A test that drives the real app with Chromium: the class shares one browser and one app process
/// (class fixtures); each test gets a fresh browser context and page. Steps run through
/// <see cref="StepAsync"/>, which screenshots each one and, when one fails, says which and adds the
/// app's log to the message. The app's log is also saved next to the screenshots.
/// </summary>
public abstract class BrowserTest<TTestClass>(ChromiumFixture chromium, SecretAdminServer app) : IAsyncLifetime
{
    private IBrowserContext? _context;
    private IPage? _page;

    protected SecretAdminServer App { get; } = app;

    protected Screenshots Screenshots { get; } = Support.Screenshots.For<TTestClass>();

    protected IPage Page => _page ?? throw new InvalidOperationException("The page is opened in InitializeAsync.");

    /// <summary>The address the browser uses for the app.</summary>
    protected virtual string BaseUrl => App.BaseUrl;

    public virtual async Task InitializeAsync()
    {
        _context = await chromium.NewContextAsync(BaseUrl);
        _page = await _context.NewPageAsync();
    }

    public virtual async Task DisposeAsync()
    {
        await Screenshots.SaveTextAsync("app.log", App.Log);
        if (_context is not null)
        {
            await _context.DisposeAsync();
        }
    }

    /// <summary>Runs one step of the scenario, then saves a screenshot named after it.</summary>
    protected async Task StepAsync(string name, Func<Task> step)
    {
        try
        {
            await step();
        }
        catch (Exception exception)
        {
            var screenshot = await TryScreenshotAsync($"{name} failed");
            throw new XunitException(
                $"Step \"{name}\" failed at {Page.Url}: {exception.Message}\nScreenshot: {screenshot}\n"
                + $"{Diagnostics()}\nThe app's log (end):\n{App.LogTail()}",
                exception);
        }

        await Screenshots.TakeAsync(Page, name);
    }

    /// <summary>More context for a failed step, such as a peer's log.</summary>
    protected virtual string Diagnostics() => string.Empty;

    /// <summary>Signs in as the administrator the CLI created, on the server-rendered sign-in page.</summary>
    protected async Task SignInAsAdminAsync()
    {
        await Page.GotoAsync("/account/login");
        await Page.Locator("#email").FillAsync(SecretAdminServer.AdminEmail);
        await Page.Locator("#password").FillAsync(App.AdminPassword);
        await Page.Locator("form:not(.sso-form) button[type=submit]").ClickAsync();
        await Page.WaitForURLAsync(url => !new Uri(url).AbsolutePath.StartsWith("/account/", StringComparison.Ordinal));
    }

    private async Task<string> TryScreenshotAsync(string name)
    {
        try
        {
            return await Screenshots.TakeAsync(Page, name);
        }
        catch (PlaywrightException exception)
        {
            return $"(none: {exception.Message})";
        }
    }
}
