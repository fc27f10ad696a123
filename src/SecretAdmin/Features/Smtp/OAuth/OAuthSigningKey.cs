using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace SecretAdmin.Features.Smtp.OAuth;

/// <summary>
/// The RSA key SecretAdmin signs client assertions with (<c>private_key_jwt</c>, RFC 7523), and the
/// self-signed certificate of its public part that a provider registers (Microsoft Entra takes a
/// certificate, others a JWK). The private key exists as text only here and in its sealed envelope.
/// </summary>
public static class OAuthSigningKey
{
    public const int MinimumKeyBits = 2048;

    /// <summary>How long a client assertion is valid: long enough for one token request.</summary>
    private static readonly TimeSpan AssertionLifetime = TimeSpan.FromMinutes(5);

    /// <summary>A new 3072-bit RSA key (PKCS#8 PEM) and its certificate (PEM), valid for two years from <paramref name="now"/>.</summary>
    public static (string PrivateKeyPem, string CertificatePem) Generate(DateTimeOffset now)
    {
        using var rsa = RSA.Create(3072);
        return (rsa.ExportPkcs8PrivateKeyPem(), CertificateFor(rsa, now));
    }

    /// <summary>
    /// Reads an uploaded RSA private key (PEM, PKCS#8 or PKCS#1) into the PKCS#8 PEM that is sealed,
    /// with a new certificate of its public part; or says what is wrong with it (never quoting it).
    /// </summary>
    public static (string? PrivateKeyPem, string? CertificatePem, string? Problem) Import(string pem, DateTimeOffset now)
    {
        using var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
        }
        catch (ArgumentException)
        {
            return (null, null, "Paste an RSA private key in PEM form, beginning with -----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY----- (an encrypted key must be decrypted first).");
        }
        catch (CryptographicException)
        {
            return (null, null, "The PEM block could not be read as an RSA private key. Check that it was copied whole.");
        }

        if (rsa.KeySize < MinimumKeyBits)
        {
            return (null, null, $"The key has {rsa.KeySize} bits; use an RSA key of at least {MinimumKeyBits} bits.");
        }

        try
        {
            return (rsa.ExportPkcs8PrivateKeyPem(), CertificateFor(rsa, now), null);
        }
        catch (CryptographicException)
        {
            return (null, null, "That PEM block holds only a public key; paste the private key.");
        }
    }

    /// <summary>The public part to register with the provider: the certificate's thumbprints and a JWK with its certificate.</summary>
    public static OAuthPublicKey PublicPartOf(string certificatePem)
    {
        using var certificate = X509Certificate2.CreateFromPem(certificatePem);
        using var rsa = certificate.GetRSAPublicKey() ?? throw new InvalidOperationException("The stored certificate holds no RSA key.");
        var parameters = rsa.ExportParameters(includePrivateParameters: false);
        var n = Base64UrlEncoder.Encode(parameters.Modulus);
        var e = Base64UrlEncoder.Encode(parameters.Exponent);
        var kid = JwkThumbprint(e, n);
        var jwk = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["kty"] = "RSA",
            ["use"] = "sig",
            ["alg"] = SecurityAlgorithms.RsaSha256,
            ["kid"] = kid,
            ["n"] = n,
            ["e"] = e,
            ["x5c"] = new[] { Convert.ToBase64String(certificate.RawData) },
        });
        return new OAuthPublicKey(
            certificatePem.Trim(),
            jwk,
            kid,
            Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA1)),
            certificate.NotAfter.ToUniversalTime());
    }

    /// <summary>
    /// An assertion by <paramref name="clientId"/> for <paramref name="tokenEndpoint"/>: iss the
    /// client id, aud the token endpoint, a random jti, valid for five minutes; its header names the
    /// key by JWK thumbprint (kid) and by certificate thumbprint (x5t, as Entra asks). As client
    /// authentication sub is the client id; as a JWT bearer grant sub is <paramref name="subject"/>
    /// (the mailbox) and it carries the <paramref name="scope"/> (as Google asks).
    /// </summary>
    public static string CreateAssertion(string privateKeyPem, string certificatePem, string clientId, string tokenEndpoint, DateTimeOffset now, string? subject = null, string? scope = null)
    {
        using var rsa = RSA.Create();
        rsa.ImportFromPem(privateKeyPem);
        using var publicCertificate = X509Certificate2.CreateFromPem(certificatePem);
        using var certificate = publicCertificate.CopyWithPrivateKey(rsa);

        // An X.509 key: the handler writes the certificate's thumbprint as x5t; the kid is the JWK thumbprint.
        var key = new X509SecurityKey(certificate, PublicPartOf(certificatePem).KeyId);
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = clientId,
            Audience = tokenEndpoint,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + AssertionLifetime).UtcDateTime,
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = subject ?? clientId,
                [JwtRegisteredClaimNames.Jti] = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16)),
            },
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256) { CryptoProviderFactory = new CryptoProviderFactory { CacheSignatureProviders = false } },
        };
        if (scope is not null)
        {
            descriptor.Claims["scope"] = scope;
        }

        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    private static string CertificateFor(RSA rsa, DateTimeOffset now)
    {
        var request = new CertificateRequest("CN=SecretAdmin mail sender", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(2));
        return certificate.ExportCertificatePem();
    }

    /// <summary>The RFC 7638 thumbprint of an RSA public key: SHA-256 over its members in lexical order.</summary>
    private static string JwkThumbprint(string e, string n) =>
        Base64UrlEncoder.Encode(SHA256.HashData(Encoding.UTF8.GetBytes($"{{\"e\":\"{e}\",\"kty\":\"RSA\",\"n\":\"{n}\"}}")));
}
