using SecretAdmin.Security;

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
    /// <summary>True when a password is stored and <paramref name="form"/> points at another server or account than the one it was saved for.</summary>
    public bool PasswordIsForAnotherServerThan(SmtpSettingsForm form) =>
        Password is not SecretStatus.NotSet && Password.BoundTo != SmtpServer.Of(form).Destination;
}
