namespace SecretAdmin.Features.Smtp;

/// <summary>
/// What became of one message handed to the SMTP server: accepted (with the server's answer), or
/// stopped at a <see cref="MailStep"/> with the server's reply and a hint a person can act on.
/// </summary>
/// <param name="Permanent">True when sending the same message again cannot succeed (a 5xx answer to the sender, a recipient or the message).</param>
public sealed record MailDelivery(bool Delivered, MailStep? FailedStep, string Message, string? Hint, bool Permanent)
{
    public static MailDelivery Accepted(string serverAnswer) => new(true, null, $"The server accepted the message: {serverAnswer}", null, false);

    public static MailDelivery Failed(MailStep step, string message, string? hint = null, bool permanent = false) => new(false, step, message, hint, permanent);

    /// <summary>The step a person reads: "Sign-in (AUTH)".</summary>
    public static string NameOf(MailStep step) => step switch
    {
        MailStep.NameResolution => "Name resolution",
        MailStep.Connect => "Connect",
        MailStep.Tls => "TLS",
        MailStep.TokenRequest => "Token request",
        MailStep.Authentication => "Sign-in (AUTH)",
        MailStep.Sender => "Sender (MAIL FROM)",
        MailStep.Recipient => "Recipient (RCPT TO)",
        MailStep.Data => "Message (DATA)",
        _ => step.ToString(),
    };
}
