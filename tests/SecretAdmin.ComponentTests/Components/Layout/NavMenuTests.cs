using System.Reflection;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Routing;
using MudBlazor;
using SecretAdmin.Components.Layout;

namespace SecretAdmin.ComponentTests.Components.Layout;

public class NavMenuTests : MudComponentTestContext
{
    [Fact]
    public void Render_Always_FirstLinkIsHomeMatchingExactly()
    {
        var cut = Render<NavMenu>();

        var home = cut.FindComponents<MudNavLink>()[0];
        Assert.Equal("", home.Instance.Href);
        Assert.Equal(NavLinkMatch.All, home.Instance.Match);
        Assert.Contains("Home", home.Markup);
    }

    [Fact]
    public void Render_Always_EveryLinkOpensAnExistingPage()
    {
        var routes = typeof(MainLayout).Assembly.GetTypes()
            .SelectMany(type => type.GetCustomAttributes<RouteAttribute>())
            .Select(route => route.Template.TrimStart('/'))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);

        var cut = Render<NavMenu>();

        var links = cut.FindComponents<MudNavLink>();
        Assert.NotEmpty(links);
        Assert.All(links, link => Assert.Contains(link.Instance.Href ?? "", routes));
    }
}
