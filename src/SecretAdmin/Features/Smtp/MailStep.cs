namespace SecretAdmin.Features.Smtp;

/// <summary>The steps of handing a message to an SMTP server, in order; a failure names the one it stopped at.</summary>
public enum MailStep
{
    /// <summary>Finding the host's address (DNS).</summary>
    NameResolution,

    /// <summary>Opening the TCP connection and reading the greeting.</summary>
    Connect,

    /// <summary>TLS on connect, or STARTTLS.</summary>
    Tls,

    /// <summary>Asking the OAuth token endpoint for an access token.</summary>
    TokenRequest,

    /// <summary>SMTP AUTH.</summary>
    Authentication,

    /// <summary>MAIL FROM.</summary>
    Sender,

    /// <summary>RCPT TO.</summary>
    Recipient,

    /// <summary>DATA: the message itself.</summary>
    Data,
}
