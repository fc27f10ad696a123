namespace SecretAdmin.Components.Layout;

/// <summary>The colour scheme a user chose with the app bar toggle; <see cref="System"/> until they choose.</summary>
public enum ThemePreference
{
    System,
    Light,
    Dark,
}
