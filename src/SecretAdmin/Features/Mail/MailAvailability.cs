using SecretAdmin.Features.Smtp;

namespace SecretAdmin.Features.Mail;

/// <summary>Whether mail with a link can be sent now: the app knows its public address and the SMTP settings are saved.</summary>
public sealed class MailAvailability(MailLinks links, SmtpSettingsService smtp)
{
    /// <summary>Why not, in a sentence for an administrator; null when it can.</summary>
    public async Task<string?> WhyUnavailableAsync(CancellationToken cancellationToken = default) =>
        links.Unavailable ?? (await smtp.HasServerAsync(cancellationToken) ? null : "Mail is not set up: save the SMTP settings first.");
}
