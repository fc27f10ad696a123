using SecretAdmin.Features.Settings;

namespace SecretAdmin.Features.Smtp;

/// <summary>The stored SMTP settings as pages and the command line see them: the password's status only.</summary>
public sealed record SmtpSettingsView(
    string? Host,
    int Port,
    SmtpSecurity Security,
    string? Username,
    SecretStatus Password,
    string? FromAddress,
    string? FromName,
    int TimeoutSeconds,
    DateTime? UpdatedAtUtc,
    string? UpdatedBy,
    long Version)
{
    /// <summary>True when <paramref name="form"/> points at the same server and account as these saved settings.</summary>
    public bool SameServerAs(SmtpSettingsForm form) =>
        string.Equals(Host, FieldChanges.Clean(form.Host), StringComparison.OrdinalIgnoreCase)
        && Port == form.Port
        && Security == form.Security
        && string.Equals(Username, FieldChanges.Clean(form.Username), StringComparison.Ordinal);
}
