using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;

namespace SecretAdmin.Tests.Support.Peers;

/// <summary>
/// A machine client of the <see cref="OidcPeer"/> (tests/peers/oidc-provider.mjs --cc-client): it may only
/// use the client credentials grant, and must authenticate exactly as registered, so a test can tell that
/// the app used the method it was configured with (the peer refuses client_secret_basic for a
/// client_secret_post client and the other way round, which oidc-provider alone would take).
/// </summary>
public sealed record OidcPeerClient
{
    private OidcPeerClient(string clientId, AuthMethod method, string? clientSecret, string? publicJwk)
    {
        if (string.IsNullOrEmpty(clientId))
        {
            throw new ArgumentException("A client needs a client id.", nameof(clientId));
        }

        ClientId = clientId;
        Method = method;
        ClientSecret = clientSecret;
        PublicJwk = publicJwk;
    }

    /// <summary>How the client authenticates at the token endpoint.</summary>
    public enum AuthMethod
    {
        /// <summary>client_secret_post: client_id and client_secret in the form body.</summary>
        SecretPost,

        /// <summary>client_secret_basic: an Authorization: Basic header (RFC 6749 2.3.1).</summary>
        SecretBasic,

        /// <summary>private_key_jwt: a signed client_assertion (RFC 7523), RS256, PS256 or ES256.</summary>
        PrivateKeyJwt,
    }

    /// <summary>The two ways to send a client secret.</summary>
    public enum SecretMethod
    {
        /// <summary>client_secret_post.</summary>
        Post,

        /// <summary>client_secret_basic.</summary>
        Basic,
    }

    public string ClientId { get; }

    public AuthMethod Method { get; }

    /// <summary>The secret, for <see cref="AuthMethod.SecretPost"/> and <see cref="AuthMethod.SecretBasic"/>.</summary>
    public string? ClientSecret { get; }

    /// <summary>The registered public JWK (JSON), for <see cref="AuthMethod.PrivateKeyJwt"/>.</summary>
    public string? PublicJwk { get; }

    /// <summary>token_endpoint_auth_method as OAuth names it, as the peer's client_credentials.issued event reports it.</summary>
    public string TokenEndpointAuthMethod => Method switch
    {
        AuthMethod.SecretPost => "client_secret_post",
        AuthMethod.SecretBasic => "client_secret_basic",
        AuthMethod.PrivateKeyJwt => "private_key_jwt",
        _ => throw new InvalidOperationException($"Unknown client authentication {Method}."),
    };

    /// <summary>A client that authenticates with a secret, sent as <paramref name="method"/> says.</summary>
    public static OidcPeerClient WithSecret(string clientId, string clientSecret, SecretMethod method = SecretMethod.Post)
    {
        ArgumentException.ThrowIfNullOrEmpty(clientSecret);
        return new(clientId, method == SecretMethod.Basic ? AuthMethod.SecretBasic : AuthMethod.SecretPost, clientSecret, null);
    }

    /// <summary>A private_key_jwt client registered with the public part of <paramref name="key"/> (RSA or EC P-256).</summary>
    public static OidcPeerClient WithPrivateKey(string clientId, AsymmetricAlgorithm key)
    {
        var members = key switch
        {
            RSA rsa => RsaMembers(rsa.ExportParameters(false)),
            ECDsa ecdsa => EcMembers(ecdsa.ExportParameters(false)),
            _ => throw new ArgumentException($"A private_key_jwt client needs an RSA or ECDsa key, not {key.GetType().Name}.", nameof(key)),
        };
        return new(clientId, AuthMethod.PrivateKeyJwt, null, JsonSerializer.Serialize(members));
    }

    /// <summary>A private_key_jwt client registered with <paramref name="publicJwkJson"/>, a public JWK as JSON.</summary>
    public static OidcPeerClient WithPrivateKey(string clientId, string publicJwkJson)
    {
        using var document = JsonDocument.Parse(publicJwkJson);
        if (document.RootElement.ValueKind != JsonValueKind.Object || document.RootElement.TryGetProperty("d", out _))
        {
            throw new ArgumentException("Give a public JWK: a JSON object without its private member \"d\".", nameof(publicJwkJson));
        }

        return new(clientId, AuthMethod.PrivateKeyJwt, null, document.RootElement.GetRawText());
    }

    /// <summary>With its RFC 7638 thumbprint as kid, as providers name a key they import from a certificate or PEM.</summary>
    internal static Dictionary<string, string> RsaMembers(RSAParameters parameters)
    {
        var n = Base64Url.EncodeToString(parameters.Modulus);
        var e = Base64Url.EncodeToString(parameters.Exponent);
        var thumbprint = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{{\"e\":\"{e}\",\"kty\":\"RSA\",\"n\":\"{n}\"}}"));
        return new() { ["kty"] = "RSA", ["n"] = n, ["e"] = e, ["kid"] = Base64Url.EncodeToString(thumbprint) };
    }

    private static Dictionary<string, string> EcMembers(ECParameters parameters)
    {
        if (parameters.Curve.Oid.Value != "1.2.840.10045.3.1.7" && parameters.Curve.Oid.FriendlyName is not ("nistP256" or "ECDSA_P256"))
        {
            throw new ArgumentException("The peer takes ES256 assertions: give a P-256 key.", nameof(parameters));
        }

        return new()
        {
            ["kty"] = "EC",
            ["crv"] = "P-256",
            ["x"] = Base64Url.EncodeToString(parameters.Q.X),
            ["y"] = Base64Url.EncodeToString(parameters.Q.Y),
        };
    }

    /// <summary>The peer's --cc-client JSON.</summary>
    public string ToArgument()
    {
        var client = new Dictionary<string, object>
        {
            ["client_id"] = ClientId,
            ["token_endpoint_auth_method"] = TokenEndpointAuthMethod,
        };
        if (ClientSecret is not null)
        {
            client["client_secret"] = ClientSecret;
        }

        if (PublicJwk is not null)
        {
            client["jwks"] = new Dictionary<string, object> { ["keys"] = new[] { JsonDocument.Parse(PublicJwk).RootElement } };
        }

        return JsonSerializer.Serialize(client);
    }
}
