using SecretAdmin.Features.Smtp.OAuth;
using SecretAdmin.Security;

namespace SecretAdmin.Features.Smtp;

/// <summary>The stored SMTP settings as pages and the command line see them: each secret's status only, and the private key's public part.</summary>
public sealed record SmtpSettingsView(
    string? Host,
    int Port,
    SmtpSecurity Security,
    SmtpAuthentication Authentication,
    string? Username,
    SecretStatus Password,
    OAuthGrant OAuthGrant,
    string? OAuthTokenEndpoint,
    string? OAuthClientId,
    string? OAuthScope,
    OAuthClientAuthentication OAuthClientAuthentication,
    SecretStatus OAuthClientSecret,
    SecretStatus OAuthPrivateKey,
    OAuthPublicKey? OAuthPublicKey,
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

    /// <summary>True when the OAuth credential the form would use is stored for another token endpoint or client id than the form's.</summary>
    public bool OAuthCredentialIsForAnotherClientThan(SmtpSettingsForm form)
    {
        var client = OAuthClient.Of(form);
        var stored = client.UsesPrivateKey ? OAuthPrivateKey : OAuthClientSecret;
        return stored is not SecretStatus.NotSet && stored.BoundTo != client.Destination;
    }
}
