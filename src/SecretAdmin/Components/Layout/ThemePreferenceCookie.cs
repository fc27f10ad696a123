namespace SecretAdmin.Components.Layout;

/// <summary>
/// The cookie that remembers the colour scheme. A cookie rather than browser storage, so the
/// server renders the first paint, and pages rendered without a circuit, in the chosen scheme.
/// </summary>
public static class ThemePreferenceCookie
{
    public const string Name = "SecretAdmin.Theme";

    public static ThemePreference Read(IRequestCookieCollection cookies) =>
        Parse(cookies[Name]);

    public static ThemePreference Parse(string? value) => value switch
    {
        "light" => ThemePreference.Light,
        "dark" => ThemePreference.Dark,
        _ => ThemePreference.System,
    };

    public static string Format(ThemePreference preference) => preference switch
    {
        ThemePreference.Light => "light",
        ThemePreference.Dark => "dark",
        _ => "system",
    };
}
