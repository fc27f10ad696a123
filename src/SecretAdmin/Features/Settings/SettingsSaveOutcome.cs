namespace SecretAdmin.Features.Settings;

public enum SettingsSaveOutcome
{
    Saved,
    Invalid,
    Conflict,
}
