using SecretAdmin.Features.Smtp.OAuth;

namespace SecretAdmin.Features.Smtp;

/// <summary>A provider's known settings, filled in by the SMTP page's preset buttons; the administrator still types the client id and its credential.</summary>
public sealed record SmtpPreset(
    string Name,
    string Host,
    int Port,
    SmtpSecurity Security,
    OAuthGrant Grant,
    string TokenEndpoint,
    string Scope,
    OAuthClientAuthentication ClientAuthentication,
    string Registration);
