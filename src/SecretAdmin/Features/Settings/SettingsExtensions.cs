namespace SecretAdmin.Features.Settings;

public static class SettingsExtensions
{
    /// <summary>What the settings areas share: reading and saving a settings row, and the notice of a save.</summary>
    public static IServiceCollection AddSettings(this IServiceCollection services)
    {
        services.AddSingleton<SettingsChangeNotifier>();
        services.AddSingleton<SettingsStore>();
        return services;
    }
}
