namespace SecretAdmin.Features.Sso;

/// <summary>
/// Whether an issuer is the configured authority (OpenID Connect Discovery 1.0 §4.3): the same
/// text, a trailing slash aside.
/// </summary>
public static class SsoIssuer
{
    public static bool Matches(string? issuer, string? authority) =>
        issuer is not null && authority is not null
        && string.Equals(issuer.TrimEnd('/'), authority.TrimEnd('/'), StringComparison.Ordinal);
}
