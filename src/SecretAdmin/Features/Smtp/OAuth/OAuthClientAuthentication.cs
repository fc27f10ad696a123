namespace SecretAdmin.Features.Smtp.OAuth;

/// <summary>How SecretAdmin proves to the token endpoint that it is the client.</summary>
public enum OAuthClientAuthentication
{
    /// <summary><c>client_secret_post</c>: the client secret in the form body.</summary>
    ClientSecretPost,

    /// <summary><c>client_secret_basic</c>: the client secret in an HTTP Basic header.</summary>
    ClientSecretBasic,

    /// <summary><c>private_key_jwt</c> (RFC 7523): a short-lived assertion signed with the sealed private key.</summary>
    PrivateKeyJwt,
}
