namespace SecretAdmin.Features.Smtp;

/// <summary>How SecretAdmin signs in to the SMTP server.</summary>
public enum SmtpAuthentication
{
    /// <summary>No AUTH: a relay that accepts mail from this host.</summary>
    None,

    /// <summary>AUTH PLAIN or LOGIN with the username and the sealed password.</summary>
    Password,

    /// <summary>AUTH XOAUTH2 with the username (the mailbox) and an access token from the client-credentials grant.</summary>
    OAuth,
}
