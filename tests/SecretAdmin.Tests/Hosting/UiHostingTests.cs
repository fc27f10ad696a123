using System.Net;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Hosting;

/// <summary>The app serves the top-level wwwroot/ and the MudBlazor assets, as under `dotnet run`.</summary>
public sealed class UiHostingTests : IDisposable
{
    private readonly TempDataDirectory _temp = new();
    private readonly SecretAdminAppFactory _app;

    public UiHostingTests()
    {
        _app = new SecretAdminAppFactory(_temp);
    }

    public void Dispose()
    {
        _app.Dispose();
        _temp.Dispose();
    }

    [Theory]
    [InlineData("/app.css")]
    [InlineData("/_content/MudBlazor/MudBlazor.min.css")]
    [InlineData("/_framework/blazor.web.js")]
    public async Task Get_StaticAsset_IsServed(string path)
    {
        using var response = await _app.CreateClient().GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Get_HomeSignedIn_RendersTheMudLayout()
    {
        var client = await WebSession.SignedInAsync(_app, "ada@example.test", admin: false);

        var html = await client.GetStringAsync("/");

        Assert.Contains("<header class=\"mud-appbar", html, StringComparison.Ordinal);
        Assert.Matches("<h1[^>]*>Home</h1>", html);
    }

    [Fact]
    public async Task Get_HomeAnonymous_RedirectsToSignIn()
    {
        using var response = await WebSession.Client(_app).GetAsync("/");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/account/login", response.Headers.Location?.AbsolutePath);
    }

    [Fact]
    public async Task Get_UnknownPathSignedIn_Returns404WithThePage()
    {
        var client = await WebSession.SignedInAsync(_app, "ada@example.test", admin: false);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/no/such/page");
        request.Headers.Accept.ParseAdd("text/html");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("Page not found", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
