using MudBlazor;
using MudBlazor.Extensions;
using Microsoft.Extensions.DependencyInjection;
using SecretAdmin.Components.Layout;
using SecretAdmin.Security;

namespace SecretAdmin.ComponentTests.Components.Layout;

public class MainLayoutTests : MudComponentTestContext
{
    private const string ThemeModule = "./js/theme-preference.js";

    public MainLayoutTests()
    {
        // The drawer's menu shows links by the signed-in user's role; here nobody is signed in.
        AddAuthorization();

        // Every page says when the master key is unavailable: here it is loaded.
        var sealer = new SecretSealer(Microsoft.Extensions.Options.Options.Create(new SealingOptions()));
        sealer.Use(KeyRing.CreateNew(DateTimeOffset.UtcNow));
        Services.AddSingleton(sealer);
    }

    private IRenderedComponent<MainLayout> RenderLayout(ThemePreference preference = ThemePreference.System) =>
        Render<MainLayout>(parameters => parameters
            .AddCascadingValue(preference)
            .Add(p => p.Body, "<p class=\"test-body\">Page body</p>"));

    [Fact]
    public void Render_Always_ShowsProductNameNavigationAndBody()
    {
        var cut = RenderLayout();

        Assert.Equal("SecretAdmin", cut.Find(".product-name").TextContent.Trim());
        Assert.Equal("Page body", cut.Find(".test-body").TextContent);
        Assert.True(cut.HasComponent<NavMenu>());
        Assert.True(cut.HasComponent<MudPopoverProvider>());
        Assert.True(cut.HasComponent<MudDialogProvider>());
        Assert.True(cut.HasComponent<MudSnackbarProvider>());
    }

    [Fact]
    public void Render_Always_IncludesBlazorErrorUi()
    {
        var cut = RenderLayout();

        var errorUi = cut.Find("#blazor-error-ui");
        Assert.Contains("An unhandled error has occurred.", errorUi.TextContent);
        Assert.NotNull(errorUi.QuerySelector("a.reload"));
        Assert.NotNull(errorUi.QuerySelector(".dismiss"));
    }

    [Fact]
    public void DarkModeToggle_Clicked_SwitchesToDarkModeAndRelabelsButton()
    {
        var cut = RenderLayout(ThemePreference.Light);
        var themeProvider = cut.FindComponent<MudThemeProvider>();
        Assert.False(themeProvider.Instance.GetState(x => x.IsDarkMode));
        Assert.Equal("Switch to dark mode", cut.Find(".dark-mode-toggle").GetAttribute("aria-label"));
        Assert.Equal(Icons.Material.Outlined.DarkMode, DarkModeButton(cut).Instance.Icon);

        cut.Find(".dark-mode-toggle").Click();

        Assert.True(themeProvider.Instance.GetState(x => x.IsDarkMode));
        var toggle = cut.Find(".dark-mode-toggle");
        Assert.Equal("Switch to light mode", toggle.GetAttribute("aria-label"));
        Assert.Equal("Switch to light mode", toggle.GetAttribute("title"));
        Assert.Equal(Icons.Material.Outlined.LightMode, DarkModeButton(cut).Instance.Icon);
    }

    [Fact]
    public void DarkModeToggle_ClickedTwice_ReturnsToLightMode()
    {
        var cut = RenderLayout(ThemePreference.Light);

        cut.Find(".dark-mode-toggle").Click();
        cut.Find(".dark-mode-toggle").Click();

        Assert.False(cut.FindComponent<MudThemeProvider>().Instance.GetState(x => x.IsDarkMode));
        Assert.Equal("Switch to dark mode", cut.Find(".dark-mode-toggle").GetAttribute("aria-label"));
    }

    [Fact]
    public void DarkModeToggle_Clicked_SavesChoiceInCookie()
    {
        var module = JSInterop.SetupModule(ThemeModule);
        module.SetupVoid("saveThemePreference", ThemePreferenceCookie.Name, "dark").SetVoidResult();
        var cut = RenderLayout(ThemePreference.Light);

        cut.Find(".dark-mode-toggle").Click();

        module.VerifyInvoke("saveThemePreference");
        var invocation = Assert.Single(module.Invocations["saveThemePreference"]);
        Assert.Equal([ThemePreferenceCookie.Name, "dark"], invocation.Arguments);
    }

    [Fact]
    public void DarkModeToggle_Clicked_StopsFollowingSystem()
    {
        var cut = RenderLayout();
        Assert.True(cut.FindComponent<MudThemeProvider>().Instance.GetState(x => x.ObserveSystemDarkModeChange));

        cut.Find(".dark-mode-toggle").Click();

        Assert.False(cut.FindComponent<MudThemeProvider>().Instance.GetState(x => x.ObserveSystemDarkModeChange));
    }

    [Fact]
    public void Render_NoSavedChoiceAndSystemDark_UsesDarkMode()
    {
        JSInterop.Setup<bool>("mudThemeProvider.isDarkMode").SetResult(true);

        var cut = RenderLayout();

        cut.WaitForAssertion(() => Assert.True(cut.FindComponent<MudThemeProvider>().Instance.GetState(x => x.IsDarkMode)));
        Assert.Equal("Switch to light mode", cut.Find(".dark-mode-toggle").GetAttribute("aria-label"));
    }

    [Fact]
    public void Render_SavedLightChoiceAndSystemDark_KeepsLightMode()
    {
        JSInterop.Setup<bool>("mudThemeProvider.isDarkMode").SetResult(true);

        var cut = RenderLayout(ThemePreference.Light);

        Assert.False(cut.FindComponent<MudThemeProvider>().Instance.GetState(x => x.IsDarkMode));
        Assert.False(cut.FindComponent<MudThemeProvider>().Instance.GetState(x => x.ObserveSystemDarkModeChange));
        JSInterop.VerifyNotInvoke("mudThemeProvider.isDarkMode");
    }

    [Fact]
    public void Render_SavedDarkChoice_StartsInDarkMode()
    {
        var cut = RenderLayout(ThemePreference.Dark);

        Assert.True(cut.FindComponent<MudThemeProvider>().Instance.GetState(x => x.IsDarkMode));
    }

    [Fact]
    public void DrawerToggle_Clicked_FlipsDrawerAndAriaExpanded()
    {
        // A responsive drawer closes itself on a narrow viewport, so start from whatever it settled on.
        var cut = RenderLayout();
        var drawer = cut.FindComponent<MudDrawer>();
        var wasOpen = drawer.Instance.GetState(x => x.Open);
        Assert.Equal(wasOpen ? "true" : "false", cut.Find(".drawer-toggle").GetAttribute("aria-expanded"));

        cut.Find(".drawer-toggle").Click();

        Assert.Equal(!wasOpen, drawer.Instance.GetState(x => x.Open));
        Assert.Equal(!wasOpen ? "true" : "false", cut.Find(".drawer-toggle").GetAttribute("aria-expanded"));

        cut.Find(".drawer-toggle").Click();

        Assert.Equal(wasOpen, drawer.Instance.GetState(x => x.Open));
    }

    private static IRenderedComponent<MudIconButton> DarkModeButton(IRenderedComponent<MainLayout> cut) =>
        cut.FindComponents<MudIconButton>().Single(b => b.Instance.Class == "dark-mode-toggle");
}
