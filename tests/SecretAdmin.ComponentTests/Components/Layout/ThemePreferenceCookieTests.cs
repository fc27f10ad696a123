using SecretAdmin.Components.Layout;

namespace SecretAdmin.ComponentTests.Components.Layout;

public class ThemePreferenceCookieTests
{
    [Theory]
    [InlineData("dark", ThemePreference.Dark)]
    [InlineData("light", ThemePreference.Light)]
    [InlineData(null, ThemePreference.System)]
    [InlineData("", ThemePreference.System)]
    [InlineData("DARK", ThemePreference.System)]
    [InlineData("<script>", ThemePreference.System)]
    public void Parse_CookieValue_ReturnsPreference(string? value, ThemePreference expected) =>
        Assert.Equal(expected, ThemePreferenceCookie.Parse(value));

    [Theory]
    [InlineData(ThemePreference.Dark)]
    [InlineData(ThemePreference.Light)]
    [InlineData(ThemePreference.System)]
    public void Format_ThenParse_RoundTrips(ThemePreference preference) =>
        Assert.Equal(preference, ThemePreferenceCookie.Parse(ThemePreferenceCookie.Format(preference)));
}
