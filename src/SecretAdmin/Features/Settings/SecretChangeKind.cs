namespace SecretAdmin.Features.Settings;

public enum SecretChangeKind
{
    Keep,
    Replace,
    Clear,
}
