using SecretAdmin.Features.Smtp.OAuth;

namespace SecretAdmin.Features.Smtp;

/// <summary>
/// The mail providers whose settings are known: a preset fills the server and the OAuth client's
/// endpoint and scope, and their hosts get their own hints.
/// </summary>
public static class SmtpProviders
{
    public static IReadOnlyList<SmtpPreset> Presets { get; } =
    [
        new(
            "Microsoft 365",
            "smtp.office365.com",
            587,
            SmtpSecurity.StartTls,
            OAuthGrant.ClientCredentials,
            "https://login.microsoftonline.com/<tenant-id>/oauth2/v2.0/token",
            "https://outlook.office365.com/.default",
            OAuthClientAuthentication.PrivateKeyJwt,
            "Register an app in Microsoft Entra with the SMTP.SendAsApp permission (admin consent), upload the certificate below, and give its service principal access to the mailbox. Replace <tenant-id> with the directory (tenant) id."),
        new(
            "Google Workspace",
            "smtp.gmail.com",
            587,
            SmtpSecurity.StartTls,
            OAuthGrant.JwtBearer,
            "https://oauth2.googleapis.com/token",
            "https://mail.google.com/",
            OAuthClientAuthentication.PrivateKeyJwt,
            "Create a service account, paste its private key (or upload the certificate below as its key), enter its email as the client id, and let the Workspace administrator allow its client id the scope https://mail.google.com/ (domain-wide delegation). The username is the mailbox it sends as."),
    ];

    /// <summary>Microsoft 365's SMTP submission hosts.</summary>
    public static bool IsMicrosoft365(string? host) =>
        Normal(host) is { } h && (h == "smtp.office365.com" || h.EndsWith(".mail.protection.outlook.com", StringComparison.Ordinal) || h == "outlook.office365.com");

    public static bool IsGoogle(string? host) =>
        Normal(host) is "smtp.gmail.com" or "smtp-relay.gmail.com";

    private static string? Normal(string? host) => string.IsNullOrWhiteSpace(host) ? null : host.Trim().TrimEnd('.').ToLowerInvariant();
}
