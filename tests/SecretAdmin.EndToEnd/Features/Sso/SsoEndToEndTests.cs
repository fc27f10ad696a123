using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using SecretAdmin.EndToEnd.Support;
using SecretAdmin.Tests.Support.Peers;
using static Microsoft.Playwright.Assertions;

namespace SecretAdmin.EndToEnd.Features.Sso;

/// <summary>
/// Single sign-on in Chromium: the sign-in page's button, the real provider's login page, and back
/// to the real app. The class shares one app; each test configures single sign-on itself (with the
/// command line, as an operator would, while the app runs) against providers it starts, and signs in
/// with login names no other test uses, so the tests do not depend on their order.
/// </summary>
public sealed class SsoEndToEndTests(ChromiumFixture chromium, SecretAdminServer app)
    : SsoBrowserTest<SsoEndToEndTests>(chromium, app), IClassFixture<ChromiumFixture>, IClassFixture<SecretAdminServer>
{
    [Fact]
    public async Task UserSignsIn_ThroughTheProvider_LandsSignedInWithTheMappedRole()
    {
        var provider = await StartProviderAsync("sign-in-provider");
        await ConfigureSsoWithCliAsync(provider.Issuer, ClientSecret, buttonLabel: "Example ID");

        await StepAsync("the users page sends a visitor to sign in", async () =>
        {
            await Page.GotoAsync("/admin/users");
            await Page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/account/login");
            await Expect(Page.Locator("form.sso-form .sso-sign-in")).ToHaveTextAsync("Sign in with Example ID");
            await Expect(Page.Locator("form.sso-form input[name=returnUrl]")).ToHaveValueAsync("/admin/users");
            await AssertNoSecretInPageAsync();
        });

        await StepAsync("the button opens the provider's login page", () => ClickSsoButtonAsync(provider));

        await StepAsync("admin-zoe signs in at the provider", () => SignInAtProviderAsync("admin-zoe", expectedPath: "/admin/users"));

        await StepAsync("admin-zoe is signed in on the users page", async () =>
        {
            await Expect(Page.Locator(".nav-user-email")).ToHaveTextAsync("admin-zoe@example.test");
            await Expect(Page.Locator(".nav-admin")).ToBeVisibleAsync();
            await Expect(Page.Locator("h1")).ToHaveTextAsync("Users");
            await Expect(Page.Locator("table")).ToContainTextAsync("admin-zoe@example.test");
            await AssertNoSecretInPageAsync();
        });

        // A fresh browser session: no cookie of the app's or of the provider's.
        await Page.Context.ClearCookiesAsync();

        await StepAsync("bob starts single sign-on", async () =>
        {
            await Page.GotoAsync("/account/login");
            await ClickSsoButtonAsync(provider);
        });

        await StepAsync("bob signs in at the provider", () => SignInAtProviderAsync("bob"));

        await StepAsync("bob is signed in without administration", async () =>
        {
            await Expect(Page.Locator(".nav-user-email")).ToHaveTextAsync("bob@example.test");
            await Expect(Page.Locator(".nav-admin")).ToHaveCountAsync(0);
        });

        await StepAsync("bob is denied the users page", async () =>
        {
            await Page.GotoAsync("/admin/users");
            await Expect(Page.Locator("h1")).ToHaveTextAsync("Access denied");
            await Expect(Page.Locator(".message-panel")).ToContainTextAsync("This page is for administrators.");
            await Expect(Page.Locator("table")).ToHaveCountAsync(0);
        });

        AssertNoSecretInAppLog();
    }

    [Fact]
    public async Task WrongClientSecret_ShowsAClearErrorPage_WithoutTheSecret()
    {
        var provider = await StartProviderAsync("wrong-secret-provider");
        var wrongSecret = $"sso-e2e-wrong-secret-{Guid.NewGuid():N}";
        AddSecret(wrongSecret);
        await ConfigureSsoWithCliAsync(provider.Issuer, wrongSecret, buttonLabel: "Example ID");

        await StepAsync("sign-in page offers single sign-on", async () =>
        {
            await Page.GotoAsync("/account/login");
            await Expect(Page.Locator(".sso-sign-in")).ToHaveTextAsync("Sign in with Example ID");
        });

        await StepAsync("the provider refuses the client", async () =>
        {
            await Page.Locator(".sso-sign-in").ClickAsync();

            // The app pushes the authorization request, so the provider refuses before any login
            // page; a provider without pushed requests would refuse at the token request instead.
            await Page.WaitForURLAsync(url => IsSsoError(url) || url.StartsWith($"{provider.Issuer}/interaction/", StringComparison.Ordinal));
            if (!IsSsoError(Page.Url))
            {
                await FillProviderLoginAsync("carl");
                await Page.WaitForURLAsync(IsSsoError);
            }

            Assert.Equal("reason=client-rejected", new Uri(Page.Url).Query.TrimStart('?'));
            await Expect(Page.Locator("h1")).ToHaveTextAsync("The identity provider refused SecretAdmin");
            await Expect(Page.Locator(".sso-error")).ToHaveTextAsync(
                "The provider did not accept SecretAdmin's client id or client secret. An administrator needs to check them on the single sign-on settings page.");
            await Expect(Page.Locator(".sso-error-back")).ToHaveAttributeAsync("href", "/account/login");
            await AssertNoSecretInPageAsync();
        });

        AssertNoSecretInAppLog();
    }

    [Fact]
    public async Task SettingsChanged_WhileRunning_ApplyWithoutARestart()
    {
        var providerA = await StartProviderAsync("provider-a");
        var providerB = await StartProviderAsync("provider-b");
        await ConfigureSsoWithCliAsync(providerA.Issuer, ClientSecret, buttonLabel: "Provider A");

        await StepAsync("sign-in page offers provider A", async () =>
        {
            await Page.GotoAsync("/account/login");
            await Expect(Page.Locator(".sso-sign-in")).ToHaveTextAsync("Sign in with Provider A");
            await ClickSsoButtonAsync(providerA);
        });

        await StepAsync("admin-carol signs in at provider A", async () =>
        {
            await SignInAtProviderAsync("admin-carol");
            await Expect(Page.Locator(".nav-user-email")).ToHaveTextAsync("admin-carol@example.test");
        });

        var secretBox = Page.Locator(".secret-input input");
        await StepAsync("admin-carol switches to provider B on the settings page", async () =>
        {
            await Page.GotoAsync("/settings/oidc");
            await Page.WaitForInteractiveAsync("#oidc-authority");
            await Expect(Page.Locator("#oidc-authority")).ToHaveValueAsync(providerA.Issuer);
            await FillAsync("#oidc-authority", providerB.Issuer);
            await FillAsync("#oidc-button-label", "Provider B");
            await Page.Locator(".settings-save").ClickAsync();

            // The stored secret was saved for provider A: it is not kept for provider B.
            await Expect(Page.Locator(".secret-field")).ToContainTextAsync("The provider or client id changed: type the client secret again, or clear it.");
            await Expect(Page.Locator(".mud-snackbar")).ToHaveCountAsync(0);

            // Provider B knows the same secret: typed again, it is sealed for provider B.
            await secretBox.FillAsync(ClientSecret);
            await secretBox.PressAsync("Tab");
            await Page.Locator(".settings-save").ClickAsync();
            await Expect(Page.Locator(".mud-snackbar")).ToContainTextAsync("OIDC settings saved.");
            await Expect(secretBox).ToHaveAttributeAsync("placeholder", new Regex("set on .* by "));
            await AssertNoSecretInPageAsync();
        });

        await Page.Context.ClearCookiesAsync();

        await StepAsync("sign-in page offers provider B", async () =>
        {
            await Page.GotoAsync("/account/login");
            await Expect(Page.Locator(".sso-sign-in")).ToHaveTextAsync("Sign in with Provider B");
        });

        await StepAsync("the button opens provider B's login page", () => ClickSsoButtonAsync(providerB));

        await StepAsync("dave signs in at provider B", async () =>
        {
            await SignInAtProviderAsync("dave");
            await Expect(Page.Locator(".nav-user-email")).ToHaveTextAsync("dave@example.test");
        });

        AssertNoSecretInAppLog();
    }

    [Fact]
    public async Task CorruptedClientSecret_HidesTheButton_AndTheStartFailsClosed()
    {
        var provider = await StartProviderAsync("corrupted-secret-provider");
        await ConfigureSsoWithCliAsync(provider.Issuer, ClientSecret, buttonLabel: "Example ID");

        await StepAsync("sign-in page offers single sign-on", async () =>
        {
            await Page.GotoAsync("/account/login");
            await Expect(Page.Locator(".sso-sign-in")).ToHaveTextAsync("Sign in with Example ID");
        });

        var envelope = await ReadStoredClientSecretAsync();
        Assert.StartsWith("sa1:", envelope, StringComparison.Ordinal);
        var corrupted = ChangeOneCharacter(envelope);
        AddSecret(envelope);
        AddSecret(corrupted);
        await WriteStoredClientSecretAsync(corrupted);

        await StepAsync("sign-in page hides the button", async () =>
        {
            await Page.GotoAsync("/account/login");
            await Expect(Page.Locator("#email")).ToBeVisibleAsync();
            await Expect(Page.Locator(".sso-sign-in")).ToHaveCountAsync(0);
            await Expect(Page.Locator("form.sso-form")).ToHaveCountAsync(0);
            await AssertNoSecretInPageAsync();
        });

        await StepAsync("a direct start fails closed", async () =>
        {
            // The form the page no longer shows, posted anyway with the page's antiforgery token.
            await Page.EvaluateAsync(
                """
                () => {
                  const token = document.querySelector('input[name="__RequestVerificationToken"]');
                  if (token === null) throw new Error('The sign-in page has no antiforgery token.');
                  const form = document.createElement('form');
                  form.method = 'post';
                  form.action = '/account/sso';
                  for (const [name, value] of [['__RequestVerificationToken', token.value], ['returnUrl', '/']]) {
                    const input = document.createElement('input');
                    input.type = 'hidden';
                    input.name = name;
                    input.value = value;
                    form.appendChild(input);
                  }
                  document.body.appendChild(form);
                  form.submit();
                }
                """);
            await Page.WaitForURLAsync(IsSsoError);
            Assert.Equal("reason=unavailable", new Uri(Page.Url).Query.TrimStart('?'));
            await Expect(Page.Locator("h1")).ToHaveTextAsync("Single sign-on is not available");
            await Expect(Page.Locator(".sso-error")).ToContainTextAsync("Sign in with your password");
            await AssertNoSecretInPageAsync();
        });

        await StepAsync("health reports single sign-on degraded", async () =>
        {
            var response = await Page.GotoAsync("/healthz") ?? throw new InvalidOperationException("GET /healthz gave no response.");
            Assert.Equal(200, response.Status);
            var body = await response.TextAsync();
            AssertNoSecretIn(body, "The health report");
            using var health = JsonDocument.Parse(body);
            Assert.Equal("Degraded", health.RootElement.GetProperty("status").GetString());
            var sso = health.RootElement.GetProperty("checks").GetProperty("sso");
            Assert.Equal("Degraded", sso.GetProperty("status").GetString());
            Assert.Contains("client secret", sso.GetProperty("description").GetString(), StringComparison.Ordinal);
        });

        AssertNoSecretInAppLog();
    }

    /// <summary>Types a value and tabs out, so the bound value commits on the circuit.</summary>
    private async Task FillAsync(string selector, string value)
    {
        var input = Page.Locator(selector);
        await input.FillAsync(value);
        await input.PressAsync("Tab");
        await Expect(input).ToHaveValueAsync(value);
    }

    private async Task<string> ReadStoredClientSecretAsync()
    {
        await using var connection = await OpenDatabaseAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """SELECT "ClientSecret" FROM "OidcSettings" WHERE "Id" = 1""";
        return await command.ExecuteScalarAsync() as string
            ?? throw new InvalidOperationException("The stored OIDC settings have no client secret.");
    }

    private async Task WriteStoredClientSecretAsync(string envelope)
    {
        await using var connection = await OpenDatabaseAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """UPDATE "OidcSettings" SET "ClientSecret" = $envelope WHERE "Id" = 1""";
        command.Parameters.AddWithValue("$envelope", envelope);
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }

    /// <summary>The app's database file, opened beside the running app; not pooled, so nothing holds it afterwards.</summary>
    private async Task<SqliteConnection> OpenDatabaseAsync()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = App.DatabaseFile,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false,
        }.ToString());
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>One character of the sealed payload (past the nonce) replaced: still a well-formed envelope, but it no longer opens.</summary>
    private static string ChangeOneCharacter(string envelope)
    {
        var index = envelope.LastIndexOf(':') + 20;
        Assert.True(index < envelope.Length - 1, "The envelope is shorter than expected.");
        var replacement = envelope[index] == 'A' ? 'B' : 'A';
        return string.Concat(envelope.AsSpan(0, index), replacement.ToString(), envelope.AsSpan(index + 1));
    }
}
