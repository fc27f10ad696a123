using System.Net;
using SecretAdmin.Features.Setup;
using SecretAdmin.Features.Users;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Features.Setup;

public sealed class SetupFlowTests : IDisposable
{
    private readonly TempDataDirectory _temp = new();
    private readonly SecretAdminAppFactory _app;

    public SetupFlowTests()
    {
        _app = new SecretAdminAppFactory(_temp);
    }

    public void Dispose()
    {
        _app.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task Start_NoAdmin_IssuesA256BitToken()
    {
        var token = await IssuedTokenAsync();

        Assert.Equal(43, token.Length);
    }

    [Theory]
    [InlineData("")]
    [InlineData("?token=")]
    [InlineData("?token=not-the-token")]
    public async Task Get_WithoutTheToken_ShowsOnlyAnExplanation(string query)
    {
        await IssuedTokenAsync();

        var html = await WebSession.Client(_app).GetStringAsync($"/setup{query}");

        Assert.Contains("one-time setup link", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Create administrator", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_WithTheToken_CreatesTheFirstAdminThenCloses()
    {
        var token = await IssuedTokenAsync();
        var client = WebSession.Client(_app);

        using var response = await SubmitAsync(client, token, "first@example.test", WebSession.Password, WebSession.Password);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/account/login", response.Headers.Location?.AbsolutePath);
        var admins = await _app.Services.GetRequiredService<UserAdminService>().SearchAsync(new());
        Assert.True(Assert.Single(admins.Items).IsAdmin);
        Assert.False(_app.Services.GetRequiredService<SetupToken>().IsIssued);
        var closed = await client.GetStringAsync($"/setup?token={token}");
        Assert.Contains("Setup is complete", closed, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await WebSession.SignInAsync(client, "first@example.test")).StatusCode);
    }

    [Fact]
    public async Task Post_InvalidFields_SaysWhichAndCreatesNothing()
    {
        var token = await IssuedTokenAsync();

        using var response = await SubmitAsync(WebSession.Client(_app), token, "not-an-email", "short", "different");

        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("Enter a valid email address.", html, StringComparison.Ordinal);
        Assert.Contains("Use at least 12 characters.", html, StringComparison.Ordinal);
        Assert.Contains("The two passwords differ.", html, StringComparison.Ordinal);
        Assert.False(await _app.Services.GetRequiredService<UserAdminService>().AnyAdminExistsAsync());
    }

    [Fact]
    public async Task Start_AdminExists_IssuesNoToken()
    {
        await WebSession.CreateUserAsync(_app, "admin@example.test", admin: true);
        _app.Dispose();

        using var restarted = new SecretAdminAppFactory(_temp);
        using var client = restarted.CreateClient();
        await client.GetAsync("/healthz");
        await Task.Delay(500);

        Assert.False(restarted.Services.GetRequiredService<SetupToken>().IsIssued);
    }

    private static Task<HttpResponseMessage> SubmitAsync(HttpClient client, string token, string email, string password, string confirm) =>
        FormPost.SubmitAsync(client, $"/setup?token={token}", "setup", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
            ["Input.ConfirmPassword"] = confirm,
        });

    /// <summary>The token the running app printed, read from its service: the console is not captured in-process.</summary>
    private async Task<string> IssuedTokenAsync()
    {
        using var client = _app.CreateClient();
        await client.GetAsync("/healthz");
        var setupToken = _app.Services.GetRequiredService<SetupToken>();
        for (var i = 0; i < 50 && !setupToken.IsIssued; i++)
        {
            await Task.Delay(100);
        }

        return setupToken.Current ?? throw new Xunit.Sdk.XunitException("No setup token was issued.");
    }
}
