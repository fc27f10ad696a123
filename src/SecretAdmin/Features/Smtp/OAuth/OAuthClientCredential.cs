namespace SecretAdmin.Features.Smtp.OAuth;

/// <summary>
/// The opened credential an <see cref="OAuthClient"/> proves itself with: its client secret, or its
/// private key (with the certificate that names it). Held only while a token is asked for.
/// </summary>
public sealed class OAuthClientCredential
{
    private OAuthClientCredential(string? secret, string? privateKeyPem, string? certificatePem)
    {
        Secret = secret;
        PrivateKeyPem = privateKeyPem;
        CertificatePem = certificatePem;
    }

    public string? Secret { get; }

    public string? PrivateKeyPem { get; }

    public string? CertificatePem { get; }

    public static OAuthClientCredential ClientSecret(string secret) => new(secret, null, null);

    public static OAuthClientCredential PrivateKey(string privateKeyPem, string certificatePem) => new(null, privateKeyPem, certificatePem);

    /// <summary>The material, for telling cached tokens apart; never shown.</summary>
    internal string Material => Secret ?? PrivateKeyPem!;

    public override string ToString() => Secret is not null ? "client secret" : "private key";
}
