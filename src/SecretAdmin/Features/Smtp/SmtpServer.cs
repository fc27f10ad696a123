using SecretAdmin.Features.Settings;
using SecretAdmin.Security;

namespace SecretAdmin.Features.Smtp;

/// <summary>Where and how to connect: the non-secret part of the SMTP settings.</summary>
public sealed record SmtpServer(string Host, int Port, SmtpSecurity Security, string? Username, int TimeoutSeconds)
{
    /// <summary>
    /// What the password is sealed for: the host (lower case, no trailing dot), port, security and
    /// username. A password opens only for the destination it was saved with.
    /// </summary>
    public string Destination => DestinationOf(Host, Port, Security, Username);

    public static SmtpServer Of(SmtpSettingsForm form) =>
        new(form.Host?.Trim() ?? string.Empty, form.Port, form.Security, FieldChanges.Clean(form.Username), form.TimeoutSeconds);

    public static SmtpServer Of(SmtpSettings row) =>
        new(row.Host ?? string.Empty, row.Port, row.Security, row.Username, row.TimeoutSeconds);

    public static string DestinationOf(string? host, int port, SmtpSecurity security, string? username) => SecretDestination.Of(
        "smtp",
        ("host", SecretDestination.Host(host ?? string.Empty)),
        ("port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ("security", security switch
        {
            SmtpSecurity.None => "none",
            SmtpSecurity.StartTls => "starttls",
            SmtpSecurity.TlsOnConnect => "tls",
            _ => security.ToString(), // never saved: validation refuses it
        }),
        ("username", FieldChanges.Clean(username)));
}
