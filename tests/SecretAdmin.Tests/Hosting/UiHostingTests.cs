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
    public async Task Get_Home_RendersTheMudLayout()
    {
        var html = await _app.CreateClient().GetStringAsync("/");

        Assert.Contains("mud-appbar", html, StringComparison.Ordinal);
        Assert.Contains("SecretAdmin", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_UnknownPath_Returns404WithThePage()
    {
        using var response = await _app.CreateClient().GetAsync("/no/such/page");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("mud-appbar", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
