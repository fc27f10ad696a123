namespace SecretAdmin.Features.Settings;

public enum SettingsArea
{
    Oidc,
    Smtp,
    MfaPolicy,
}
