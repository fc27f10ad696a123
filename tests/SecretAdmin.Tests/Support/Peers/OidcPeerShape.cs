namespace SecretAdmin.Tests.Support.Peers;

/// <summary>
/// How the <see cref="OidcPeer"/> is configured, so a test meets a provider set up the way a real
/// one is (tests/peers/oidc-provider.mjs, "Shapes of real providers"). Every property left at its
/// default keeps the peer exactly as it has always been: issuer http://127.0.0.1:{port}, RS256,
/// client_secret_post registered with client_secret_basic accepted too, pushed authorization
/// requests and RP-initiated logout offered.
/// </summary>
public sealed record OidcPeerShape
{
    /// <summary>An audience that looks like a ZITADEL project id, for <see cref="Zitadel"/>.</summary>
    public const string ZitadelProjectId = "285349851826405377";

    /// <summary>The peer as it always was.</summary>
    public static OidcPeerShape Default { get; } = new();

    /// <summary>A path the issuer and every endpoint live under, e.g. "/realms/corp"; nothing is served outside it.</summary>
    public string? IssuerPath { get; init; }

    /// <summary>"RS256", "PS256" or "ES256": the ID token's key and alg, and the only one discovery offers. Null: RS256.</summary>
    public string? SigningAlg { get; init; }

    /// <summary>How the client must authenticate at the token endpoint; the other method is refused. Null: as always.</summary>
    public ClientAuth? TokenAuth { get; init; }

    /// <summary>Whether pushed authorization requests are offered (pushed_authorization_request_endpoint).</summary>
    public bool Par { get; init; } = true;

    /// <summary>Whether RP-initiated logout is offered (end_session_endpoint).</summary>
    public bool EndSession { get; init; } = true;

    /// <summary>A second audience: ID tokens carry aud [client_id, this] and azp client_id.</summary>
    public string? ExtraAudience { get; init; }

    /// <summary>
    /// Another issuer URL that discovery, the authorization response's iss and the ID tokens claim,
    /// while the endpoints stay at <see cref="OidcPeer.Address"/> (a mix-up attacker).
    /// </summary>
    public string? LieIssuer { get; init; }

    /// <summary>After every this many ID tokens, the peer signs with a new key under a new kid.</summary>
    public int? KidRotateAfter { get; init; }

    /// <summary>Keycloak: issuer /realms/{realm}, ES256, client_secret_post only, no pushed authorization requests.</summary>
    public static OidcPeerShape Keycloak(string realm = "corp") =>
        new() { IssuerPath = $"/realms/{realm}", SigningAlg = "ES256", TokenAuth = ClientAuth.Post, Par = false };

    /// <summary>Microsoft Entra ID: issuer /{tenant}/v2.0, RS256, client_secret_basic only.</summary>
    public static OidcPeerShape Entra(Guid tenantId) =>
        new() { IssuerPath = $"/{tenantId:D}/v2.0", SigningAlg = "RS256", TokenAuth = ClientAuth.Basic };

    /// <summary>ZITADEL: ID tokens with aud [client_id, project id] and azp, RS256, either client secret method.</summary>
    public static OidcPeerShape Zitadel(string projectId = ZitadelProjectId) =>
        new() { ExtraAudience = projectId, SigningAlg = "RS256", TokenAuth = ClientAuth.Both };

    /// <summary>Google: no end-session endpoint, no pushed authorization requests, RS256, either client secret method.</summary>
    public static OidcPeerShape Google() =>
        new() { EndSession = false, Par = false, SigningAlg = "RS256", TokenAuth = ClientAuth.Both };

    /// <summary>The client authentication methods the token endpoint accepts.</summary>
    public enum ClientAuth
    {
        /// <summary>client_secret_post and client_secret_basic.</summary>
        Both,

        /// <summary>client_secret_post only.</summary>
        Post,

        /// <summary>client_secret_basic only.</summary>
        Basic,
    }

    /// <summary>The peer script's command-line options for this shape.</summary>
    public IEnumerable<string> Arguments()
    {
        if (IssuerPath is not null)
        {
            yield return "--issuer-path";
            yield return IssuerPath;
        }

        if (SigningAlg is not null)
        {
            yield return "--signing-alg";
            yield return SigningAlg;
        }

        if (TokenAuth is { } tokenAuth)
        {
            yield return "--token-auth";
            yield return tokenAuth switch
            {
                ClientAuth.Post => "post",
                ClientAuth.Basic => "basic",
                ClientAuth.Both => "both",
                _ => throw new InvalidOperationException($"Unknown client authentication {tokenAuth}."),
            };
        }

        if (!Par)
        {
            yield return "--no-par";
        }

        if (!EndSession)
        {
            yield return "--no-end-session";
        }

        if (ExtraAudience is not null)
        {
            yield return "--extra-audience";
            yield return ExtraAudience;
        }

        if (LieIssuer is not null)
        {
            yield return "--lie-issuer";
            yield return LieIssuer;
        }

        if (KidRotateAfter is { } rotateAfter)
        {
            yield return "--kid-rotate-after";
            yield return rotateAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}
