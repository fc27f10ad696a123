namespace SecretAdmin.Features.Settings;

/// <summary>
/// Announces saved settings, so what uses them (the OIDC handler's options, the lockout policy)
/// takes the new values without a restart.
/// </summary>
public sealed class SettingsChangeNotifier
{
    public event Action<SettingsArea>? Changed;

    public void Announce(SettingsArea area) => Changed?.Invoke(area);
}
