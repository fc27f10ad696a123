namespace SecretAdmin.Tests.Support.Peers;

/// <summary>
/// The client that may call the <see cref="OidcPeer"/>'s token introspection endpoint (oidc-provider.mjs
/// --resource-server), as a mail server checks the bearer tokens it is given; the SMTP peer
/// uses it with XOAUTH2. It authenticates with client_secret_basic.
/// </summary>
public sealed record OidcPeerResourceServer(string ClientId, string ClientSecret)
{
    /// <summary>The resource server the tests use unless they need another.</summary>
    public static OidcPeerResourceServer Default { get; } = new("smtp-peer", "smtp-peer-introspection-secret");
}
