namespace SecretAdmin.Features.Mail;

public enum OutboxStatus
{
    /// <summary>Waiting to be sent, or to be tried again after a failure.</summary>
    Queued,

    /// <summary>The SMTP server accepted it.</summary>
    Sent,

    /// <summary>Given up: the server refused it for good, or every attempt failed. An administrator can send it again.</summary>
    Failed,
}
