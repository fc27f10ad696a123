namespace SecretAdmin.EndToEnd.Support;

/// <summary>
/// A browser test with passkeys: a passkey belongs to a domain name, never an IP address, so the
/// app is reached as localhost (a secure context over plain HTTP); pages are tracked so a test can
/// wait until they are interactive.
/// </summary>
public abstract class PasskeyBrowserTest<TTestClass>(ChromiumFixture chromium, SecretAdminServer app) : BrowserTest<TTestClass>(chromium, app)
{
    protected override string BaseUrl => $"http://localhost:{App.Port}";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await BlazorPage.TrackPrerenderingAsync(Page.Context);
    }

    /// <summary>The password step on the sign-in page, then waits to leave it.</summary>
    protected async Task EnterPasswordAsync(string email, string password)
    {
        await Page.GotoAsync("/account/login");
        await Page.Locator("#email").FillAsync(email);
        await Page.Locator("#password").FillAsync(password);
        await Page.Locator("form:not(.sso-form) button[type=submit]").ClickAsync();
        await Page.WaitForURLAsync(url => new Uri(url).AbsolutePath != "/account/login");
    }
}
