namespace SecretAdmin.Features.Smtp.OAuth;

/// <summary>How SecretAdmin asks the token endpoint for an SMTP access token.</summary>
public enum OAuthGrant
{
    /// <summary>The client-credentials grant (RFC 6749 §4.4): a token for the app itself (Microsoft 365, most providers).</summary>
    ClientCredentials,

    /// <summary>
    /// The JWT bearer grant (RFC 7523 §2.1) with a service account's signed assertion whose subject
    /// is the mailbox (Google Workspace's domain-wide delegation). Needs the private key.
    /// </summary>
    JwtBearer,
}
