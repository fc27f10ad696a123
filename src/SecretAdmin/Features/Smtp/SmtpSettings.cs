using SecretAdmin.Features.Settings;
using SecretAdmin.Features.Smtp.OAuth;
using SecretAdmin.Security;

namespace SecretAdmin.Features.Smtp;

/// <summary>
/// The single row of SMTP settings. <see cref="Password"/>, <see cref="OAuthClientSecret"/> and
/// <see cref="OAuthPrivateKey"/> hold sealed envelopes, never plaintext.
/// </summary>
public sealed class SmtpSettings : ISingleRowSettings
{
    public const int SingletonId = 1;

    public int Id { get; set; } = SingletonId;

    public string? Host { get; set; }

    public int Port { get; set; } = 587;

    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;

    public SmtpAuthentication Authentication { get; set; } = SmtpAuthentication.None;

    /// <summary>The account signed in with: the password's user, or the mailbox an OAuth token acts for.</summary>
    public string? Username { get; set; }

    /// <summary>The sealed SMTP password, bound to <see cref="SmtpServer"/>'s destination.</summary>
    public SealedSecret Password { get; set; } = new();

    public OAuthGrant OAuthGrant { get; set; } = OAuthGrant.ClientCredentials;

    public string? OAuthTokenEndpoint { get; set; }

    public string? OAuthClientId { get; set; }

    /// <summary>The scope asked for, such as <c>https://outlook.office365.com/.default</c>.</summary>
    public string? OAuthScope { get; set; }

    public OAuthClientAuthentication OAuthClientAuthentication { get; set; } = OAuthClientAuthentication.ClientSecretPost;

    /// <summary>The sealed client secret, bound to <see cref="OAuthClient"/>'s destination.</summary>
    public SealedSecret OAuthClientSecret { get; set; } = new();

    /// <summary>The sealed private key (PKCS#8 PEM) that signs client assertions, bound like the client secret.</summary>
    public SealedSecret OAuthPrivateKey { get; set; } = new();

    /// <summary>The self-signed certificate (PEM) of the private key's public part, to register with the provider. Not a secret.</summary>
    public string? OAuthCertificate { get; set; }

    public string? FromAddress { get; set; }

    public string? FromName { get; set; }

    public int TimeoutSeconds { get; set; } = 30;

    public DateTime? UpdatedAtUtc { get; set; }

    public string? UpdatedBy { get; set; }

    /// <summary>Concurrency token: a save that started from an older version is refused.</summary>
    public long Version { get; set; }
}
