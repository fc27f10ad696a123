using System.Globalization;
using SecretAdmin.Features.Mail;

namespace SecretAdmin.Features.Account;

/// <summary>The texts of the mails that carry a link into an account: an invitation and a password reset. Their bodies are sealed in the outbox.</summary>
public static class AccountMails
{
    public static OutgoingMail Invitation(string email, string link, string invitedBy, TimeSpan validFor) => new(
        "invitation",
        email,
        "You are invited to SecretAdmin",
        $"""
        {invitedBy} created a SecretAdmin account for {email}.

        Choose your password here:
        {link}

        The link works once, for {Days(validFor)}. If you did not expect this mail, ignore it: nothing happens without the link.
        """,
        CarriesToken: true);

    public static OutgoingMail PasswordReset(string email, string link, TimeSpan validFor) => new(
        "password-reset",
        email,
        "Reset your SecretAdmin password",
        $"""
        Someone asked to reset the password of the SecretAdmin account {email}.

        Choose a new password here:
        {link}

        The link works once, for {validFor.TotalMinutes.ToString("0", CultureInfo.InvariantCulture)} minutes. A second sign-in step you have set up is still asked for afterwards.
        If it was not you, ignore this mail: your password stays as it is.
        """,
        CarriesToken: true);

    private static string Days(TimeSpan span) => span.TotalDays == 1 ? "one day" : $"{span.TotalDays.ToString("0", CultureInfo.InvariantCulture)} days";
}
