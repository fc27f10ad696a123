namespace SecretAdmin.Features.Oidc;

/// <summary>How SecretAdmin sends its client secret to the provider, as the administrator chose.</summary>
public enum SsoClientAuthentication
{
    /// <summary>As the provider's discovery document lists: client_secret_basic unless it lists only client_secret_post.</summary>
    Automatic,

    /// <summary>Always client_secret_basic (an HTTP Basic header).</summary>
    Basic,

    /// <summary>Always client_secret_post (in the form body).</summary>
    Post,
}
