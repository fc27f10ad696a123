using MudBlazor;

namespace SecretAdmin.Components.Layout;

/// <summary>A quiet slate-and-steel palette: colour is kept for state (success, warning, error) and the primary action.</summary>
public static class SecretAdminTheme
{
    private static readonly string[] SystemFonts =
        ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"];

    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#2f5d8a",
            Secondary = "#52606d",
            Tertiary = "#0f766e",
            Info = "#2f6f9f",
            Success = "#2e7d32",
            Warning = "#a15c00",
            Error = "#c62828",
            Background = "#f5f7fa",
            Surface = "#ffffff",
            AppbarBackground = "#ffffff",
            AppbarText = "#1f2933",
            DrawerBackground = "#ffffff",
            DrawerText = "#323f4b",
            DrawerIcon = "#52606d",
            TextPrimary = "#1f2933",
            TextSecondary = "#52606d",
            ActionDefault = "#52606d",
            LinesDefault = "#e4e7eb",
            TableLines = "#e4e7eb",
            Divider = "#e4e7eb",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#8db4e2",
            PrimaryContrastText = "#0b1a2a",
            Secondary = "#9aa5b1",
            Tertiary = "#5eb8ae",
            Info = "#7fb3d9",
            Success = "#66bb6a",
            Warning = "#f0b45a",
            Error = "#ef6b6b",
            Background = "#11161d",
            Surface = "#19202a",
            AppbarBackground = "#19202a",
            AppbarText = "#e4e7eb",
            DrawerBackground = "#19202a",
            DrawerText = "#cbd2d9",
            DrawerIcon = "#9aa5b1",
            TextPrimary = "#e4e7eb",
            TextSecondary = "#9aa5b1",
            ActionDefault = "#9aa5b1",
            LinesDefault = "#2a333f",
            TableLines = "#2a333f",
            Divider = "#2a333f",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = SystemFonts },
            Button = new ButtonTypography { FontFamily = SystemFonts, TextTransform = "none", FontWeight = "500" },
        },
        LayoutProperties = new LayoutProperties
        {
            DefaultBorderRadius = "6px",
        },
    };
}
