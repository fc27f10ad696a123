using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SecretAdmin.Features.Smtp.OAuth;

namespace SecretAdmin.Tests.Features.Smtp.OAuth;

public sealed class OAuthSigningKeyTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 10, 0, 0, TimeSpan.Zero);
    private const string Endpoint = "https://login.example.test/tenant/oauth2/v2.0/token";

    [Fact]
    public void Generate_NewKey_IsRsaPkcs8WithACertificateOfItsPublicPart()
    {
        var (privateKey, certificatePem) = OAuthSigningKey.Generate(Now);

        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", privateKey, StringComparison.Ordinal);
        using var rsa = RSA.Create();
        rsa.ImportFromPem(privateKey);
        Assert.True(rsa.KeySize >= OAuthSigningKey.MinimumKeyBits);
        using var certificate = X509Certificate2.CreateFromPem(certificatePem);
        Assert.Equal(rsa.ExportSubjectPublicKeyInfo(), certificate.GetRSAPublicKey()!.ExportSubjectPublicKeyInfo());
        Assert.Equal(Now.AddYears(2).UtcDateTime, certificate.NotAfter.ToUniversalTime(), TimeSpan.FromSeconds(1));
        Assert.DoesNotContain("PRIVATE", certificatePem, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateAssertion_ClientAuthentication_VerifiesWithThePublishedJwkAndNamesTheKey()
    {
        var (privateKey, certificatePem) = OAuthSigningKey.Generate(Now);
        var publicPart = OAuthSigningKey.PublicPartOf(certificatePem);

        var assertion = OAuthSigningKey.CreateAssertion(privateKey, certificatePem, "client-1", Endpoint, Now);

        var result = Validate(assertion, publicPart.Jwk);
        Assert.True(result.IsValid, result.Exception?.Message);
        var token = (JsonWebToken)result.SecurityToken;
        Assert.Equal("client-1", token.Issuer);
        Assert.Equal("client-1", token.Subject);
        Assert.Equal([Endpoint], token.Audiences);
        Assert.Equal(publicPart.KeyId, token.Kid);
        Assert.Equal(Base64UrlEncoder.Encode(Convert.FromHexString(publicPart.CertificateThumbprint)), token.X5t);
        Assert.Equal(Now.AddMinutes(5).UtcDateTime, token.ValidTo);
        Assert.False(token.TryGetPayloadValue<string>("scope", out _));
    }

    [Fact]
    public void CreateAssertion_EachOne_HasItsOwnJti()
    {
        var (privateKey, certificatePem) = OAuthSigningKey.Generate(Now);

        var ids = Enumerable.Range(0, 3).Select(_ => new JsonWebToken(OAuthSigningKey.CreateAssertion(privateKey, certificatePem, "c", Endpoint, Now)).Id).ToHashSet();

        Assert.Equal(3, ids.Count);
    }

    [Fact]
    public void CreateAssertion_JwtBearerGrant_HasTheMailboxAsSubjectAndTheScope()
    {
        var (privateKey, certificatePem) = OAuthSigningKey.Generate(Now);

        var token = new JsonWebToken(OAuthSigningKey.CreateAssertion(privateKey, certificatePem, "sender@project.iam.example", Endpoint, Now, subject: "alerts@example.test", scope: "https://mail.google.com/"));

        Assert.Equal("sender@project.iam.example", token.Issuer);
        Assert.Equal("alerts@example.test", token.Subject);
        Assert.Equal("https://mail.google.com/", token.GetPayloadValue<string>("scope"));
    }

    [Fact]
    public void Import_Pkcs1Key_IsStoredAsPkcs8WithANewCertificate()
    {
        using var rsa = RSA.Create(2048);

        var (privateKey, certificatePem, problem) = OAuthSigningKey.Import(rsa.ExportRSAPrivateKeyPem(), Now);

        Assert.Null(problem);
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", privateKey, StringComparison.Ordinal);
        using var certificate = X509Certificate2.CreateFromPem(certificatePem!);
        Assert.Equal(rsa.ExportSubjectPublicKeyInfo(), certificate.GetRSAPublicKey()!.ExportSubjectPublicKeyInfo());
    }

    [Theory]
    [InlineData("not a key at all", "Paste an RSA private key in PEM form")]
    [InlineData("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----", "could not be read")]
    public void Import_NotAKey_SaysWhatToPasteWithoutQuotingIt(string pem, string expected)
    {
        var (privateKey, _, problem) = OAuthSigningKey.Import(pem, Now);

        Assert.Null(privateKey);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
        Assert.DoesNotContain("AAAA", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_SmallKey_IsRefusedWithItsSize()
    {
        using var rsa = RSA.Create(1024);

        var (_, _, problem) = OAuthSigningKey.Import(rsa.ExportPkcs8PrivateKeyPem(), Now);

        Assert.Equal("The key has 1024 bits; use an RSA key of at least 2048 bits.", problem);
    }

    [Fact]
    public void Import_PublicKeyOnly_AsksForThePrivateKey()
    {
        using var rsa = RSA.Create(2048);

        var (_, _, problem) = OAuthSigningKey.Import(rsa.ExportSubjectPublicKeyInfoPem(), Now);

        Assert.Equal("That PEM block holds only a public key; paste the private key.", problem);
    }

    [Fact]
    public void PublicPartOf_Jwk_HasNoPrivateMembers()
    {
        var (_, certificatePem) = OAuthSigningKey.Generate(Now);

        using var jwk = JsonDocument.Parse(OAuthSigningKey.PublicPartOf(certificatePem).Jwk);

        Assert.Equal(["kty", "use", "alg", "kid", "n", "e", "x5c"], jwk.RootElement.EnumerateObject().Select(p => p.Name));
    }

    private static TokenValidationResult Validate(string assertion, string jwk) =>
        new JsonWebTokenHandler().ValidateTokenAsync(assertion, new TokenValidationParameters
        {
            ValidIssuer = "client-1",
            ValidAudience = Endpoint,
            IssuerSigningKey = new JsonWebKey(jwk),
            ValidateLifetime = false,
        }).GetAwaiter().GetResult();
}
