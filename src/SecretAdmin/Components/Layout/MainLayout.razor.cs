using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;

namespace SecretAdmin.Components.Layout;

public partial class MainLayout
{
    private const string ThemePreferenceModule = "./js/theme-preference.js";

    private MudThemeProvider _themeProvider = default!;
    private IJSObjectReference? _themePreferenceModule;
    private ThemePreference _preference;
    private bool _isDarkMode;
    private bool _drawerOpen = true;

    [Inject]
    private IJSRuntime JS { get; set; } = default!;

    /// <summary>The scheme the server read from the request; set once by <see cref="Routes"/>.</summary>
    [CascadingParameter]
    public ThemePreference InitialThemePreference { get; set; }

    private bool FollowsSystem => _preference == ThemePreference.System;

    private string DarkModeIcon => _isDarkMode ? Icons.Material.Outlined.LightMode : Icons.Material.Outlined.DarkMode;

    private string DarkModeLabel => _isDarkMode ? "Switch to light mode" : "Switch to dark mode";

    protected override void OnInitialized()
    {
        _preference = InitialThemePreference;
        _isDarkMode = _preference == ThemePreference.Dark;
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        // The browser's preference is only known once there is a browser to ask, never in prerender.
        if (firstRender && FollowsSystem)
        {
            var systemIsDark = await _themeProvider.GetSystemDarkModeAsync();
            if (FollowsSystem && systemIsDark != _isDarkMode)
            {
                _isDarkMode = systemIsDark;
                StateHasChanged();
            }
        }
    }

    private void ToggleDrawer() => _drawerOpen = !_drawerOpen;

    private async Task ToggleDarkModeAsync()
    {
        _isDarkMode = !_isDarkMode;
        _preference = _isDarkMode ? ThemePreference.Dark : ThemePreference.Light;
        await SavePreferenceAsync(_preference);
    }

    private async Task SavePreferenceAsync(ThemePreference preference)
    {
        // The scheme has already changed on screen; a browser that refuses the cookie only loses the memory of it.
        try
        {
            _themePreferenceModule ??= await JS.InvokeAsync<IJSObjectReference>("import", ThemePreferenceModule);
            await _themePreferenceModule.InvokeVoidAsync(
                "saveThemePreference", ThemePreferenceCookie.Name, ThemePreferenceCookie.Format(preference));
        }
        catch (JSException)
        {
        }
        catch (JSDisconnectedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_themePreferenceModule is not null)
        {
            try
            {
                await _themePreferenceModule.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
            }
        }
    }
}
