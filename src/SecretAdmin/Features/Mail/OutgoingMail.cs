namespace SecretAdmin.Features.Mail;

/// <summary>A mail to queue: its kind, recipient, subject and plain-text body; <paramref name="CarriesToken"/> seals the body.</summary>
public sealed record OutgoingMail(string Kind, string Recipient, string Subject, string Body, bool CarriesToken)
{
    public override string ToString() => $"{Kind} mail to {Recipient}";
}
