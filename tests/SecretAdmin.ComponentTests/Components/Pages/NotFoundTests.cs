using SecretAdmin.Components.Pages;

namespace SecretAdmin.ComponentTests.Components.Pages;

public class NotFoundTests : MudComponentTestContext
{
    [Fact]
    public void Render_Always_ExplainsAndLinksHome()
    {
        var cut = Render<NotFound>();

        Assert.Equal("Page not found", cut.Find("h1").TextContent.Trim());
        Assert.Equal("./", cut.Find("a.mud-button-root").GetAttribute("href"));
    }
}
