using System.Security.Cryptography;
using System.Text.Json;

namespace SecretAdmin.Tests.Support.Peers;

/// <summary>
/// A service account of the <see cref="OidcPeer"/> (tests/peers/oidc-provider.mjs --service-account), as Google
/// Workspace has them: it gets access tokens for the mailboxes in <see cref="Subjects"/> (domain-wide delegation)
/// with the JWT bearer grant, an RS256 assertion signed by the key whose public part is <see cref="PublicJwk"/>
/// and no client authentication, so a test can tell that the app signs, addresses and scopes that assertion right.
/// </summary>
/// <param name="ClientEmail">The service account's email: the client id, and the assertion's iss.</param>
/// <param name="PublicJwk">Its registered public RSA key, a JWK as JSON (with a kid, it must match the assertion's).</param>
/// <param name="Subjects">The mailboxes it may act for (the assertion's sub); any other gets invalid_grant.</param>
public sealed record OidcPeerServiceAccount(string ClientEmail, string PublicJwk, IReadOnlyList<string> Subjects)
{
    /// <summary>A service account registered with the public part of <paramref name="key"/>, its kid the RFC 7638 thumbprint (as the app names it).</summary>
    public static OidcPeerServiceAccount WithKey(string clientEmail, RSA key, params IReadOnlyList<string> subjects) =>
        new(clientEmail, JsonSerializer.Serialize(OidcPeerClient.RsaMembers(key.ExportParameters(includePrivateParameters: false))), subjects);

    /// <summary>The peer's --service-account JSON.</summary>
    public string ToArgument()
    {
        ArgumentException.ThrowIfNullOrEmpty(ClientEmail);
        if (Subjects.Count == 0)
        {
            throw new ArgumentException($"The service account {ClientEmail} needs at least one mailbox to act for.");
        }

        using var document = JsonDocument.Parse(PublicJwk);
        var jwk = document.RootElement;
        if (jwk.ValueKind != JsonValueKind.Object || jwk.TryGetProperty("d", out _))
        {
            throw new ArgumentException($"The service account {ClientEmail} needs a public JWK: a JSON object without its private member \"d\".");
        }

        return JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["client_email"] = ClientEmail,
            ["jwks"] = new Dictionary<string, object> { ["keys"] = new[] { jwk } },
            ["subjects"] = Subjects,
        });
    }
}
