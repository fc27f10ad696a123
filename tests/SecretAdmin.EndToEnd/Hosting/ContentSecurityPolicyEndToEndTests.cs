using SecretAdmin.EndToEnd.Support;
using static Microsoft.Playwright.Assertions;

namespace SecretAdmin.EndToEnd.Hosting;

/// <summary>
/// The app's Content-Security-Policy and Permissions-Policy in Chromium: the main pages, signed in
/// as the administrator, load and run under them without a single violation, and MudBlazor stays
/// interactive (a dialog opens, the colour scheme toggles and is remembered).
/// </summary>
public sealed class ContentSecurityPolicyEndToEndTests(ChromiumFixture chromium, SecretAdminServer app)
    : BrowserTest<ContentSecurityPolicyEndToEndTests>(chromium, app), IClassFixture<ChromiumFixture>, IClassFixture<SecretAdminServer>
{
    private static readonly string[] SignedInPages =
    [
        "/", "/account", "/account/mfa", "/settings/oidc", "/settings/smtp", "/settings/mfa",
        "/admin/users", "/admin/audit", "/admin/keys",
    ];

    // Chromium reports a violation on the console as well, but the event names the directive.
    private const string ReportViolations = """
        document.addEventListener('securitypolicyviolation', e =>
          console.error(`securitypolicyviolation: ${e.violatedDirective} blocked ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`));
        """;

    private readonly List<string> _problems = [];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Page.Context.AddInitScriptAsync(ReportViolations);
        Page.Console += (_, message) =>
        {
            var text = message.Text;
            if (text.Contains("securitypolicyviolation", StringComparison.Ordinal)
                || text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase)
                || text.Contains("Permissions-Policy", StringComparison.OrdinalIgnoreCase)
                || text.Contains("Permissions Policy", StringComparison.OrdinalIgnoreCase))
            {
                lock (_problems)
                {
                    _problems.Add($"{Page.Url}: [{message.Type}] {text}");
                }
            }
        };
        Page.PageError += (_, error) =>
        {
            lock (_problems)
            {
                _problems.Add($"{Page.Url}: page error {error}");
            }
        };
    }

    [Fact]
    public async Task MainPages_AsAdmin_RunWithoutAPolicyViolation()
    {
        await StepAsync("sign-in page", async () =>
        {
            var response = await Page.GotoAsync("/account/login");
            await AssertPolicyHeadersAsync(response);
            await Expect(Page.Locator("#email")).ToBeVisibleAsync();
        });

        await StepAsync("sign in as admin", SignInAsAdminAsync);

        foreach (var path in SignedInPages)
        {
            await StepAsync($"open {path}", async () =>
            {
                var response = await Page.GotoAsync(path);
                await AssertPolicyHeadersAsync(response);
                Assert.Equal(path, new Uri(Page.Url).AbsolutePath);
                await Page.WaitForInteractiveAsync(".dark-mode-toggle");
                await Page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            });
        }

        AssertNoProblems();
    }

    [Fact]
    public async Task MudBlazor_UnderThePolicy_OpensADialogAndTogglesTheColourScheme()
    {
        await StepAsync("sign in as admin", SignInAsAdminAsync);

        await StepAsync("open a dialog", async () =>
        {
            await Page.GotoAsync("/admin/users");
            await Page.WaitForInteractiveAsync(".users-create");
            await Page.Locator(".users-create").ClickAsync();
            await Expect(Page.Locator(".mud-dialog")).ToBeVisibleAsync();
            await Expect(Page.Locator(".mud-dialog")).ToContainTextAsync("Create user");
            await Page.Locator(".create-user-cancel").ClickAsync();
            await Expect(Page.Locator(".mud-dialog")).ToHaveCountAsync(0);
        });

        await StepAsync("toggle the colour scheme", async () =>
        {
            var toggle = Page.Locator(".dark-mode-toggle");
            var before = await toggle.GetAttributeAsync("aria-label");
            await toggle.ClickAsync();
            await Expect(toggle).Not.ToHaveAttributeAsync("aria-label", before ?? string.Empty);

            // Saved by a JavaScript module the import map resolves, so the import map ran too.
            await Page.WaitForFunctionAsync("() => document.cookie.includes('SecretAdmin.Theme=')");
        });

        AssertNoProblems();
    }

    private static Task AssertPolicyHeadersAsync(IResponse? response)
    {
        Assert.NotNull(response);
        var headers = response.Headers;
        Assert.True(headers.TryGetValue("content-security-policy", out var csp), "no Content-Security-Policy");
        Assert.Contains("script-src 'self' 'nonce-", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.True(headers.ContainsKey("permissions-policy"), "no Permissions-Policy");
        return Task.CompletedTask;
    }

    private void AssertNoProblems()
    {
        lock (_problems)
        {
            Assert.True(_problems.Count == 0, string.Join(Environment.NewLine, _problems));
        }
    }
}
