namespace SecretAdmin.Features.Smtp.OAuth;

/// <summary>What the provider is given to check SecretAdmin's client assertions: nothing secret.</summary>
/// <param name="CertificatePem">The self-signed certificate, for providers that take one (Microsoft Entra).</param>
/// <param name="Jwk">The public key as a JWK (with kid and x5c), for providers that take a JWK or a JWKS.</param>
/// <param name="KeyId">The JWK thumbprint, sent as the assertions' kid.</param>
/// <param name="CertificateThumbprint">The certificate's SHA-1 thumbprint in hex, as Entra lists it.</param>
public sealed record OAuthPublicKey(string CertificatePem, string Jwk, string KeyId, string CertificateThumbprint, DateTime NotAfterUtc);
