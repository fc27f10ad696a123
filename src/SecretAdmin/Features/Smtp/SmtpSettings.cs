using SecretAdmin.Features.Settings;
using SecretAdmin.Security;

namespace SecretAdmin.Features.Smtp;

/// <summary>The single row of SMTP settings. <see cref="Password"/> holds a sealed envelope, never plaintext.</summary>
public sealed class SmtpSettings : ISingleRowSettings
{
    public const int SingletonId = 1;

    public int Id { get; set; } = SingletonId;

    public string? Host { get; set; }

    public int Port { get; set; } = 587;

    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;

    public string? Username { get; set; }

    /// <summary>The sealed SMTP password, bound to <see cref="Server"/>'s destination.</summary>
    public SealedSecret Password { get; set; } = new();

    public string? FromAddress { get; set; }

    public string? FromName { get; set; }

    public int TimeoutSeconds { get; set; } = 30;

    public DateTime? UpdatedAtUtc { get; set; }

    public string? UpdatedBy { get; set; }

    /// <summary>Concurrency token: a save that started from an older version is refused.</summary>
    public long Version { get; set; }
}
