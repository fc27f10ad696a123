using SecretAdmin.Features.Settings;
using SecretAdmin.Security;

namespace SecretAdmin.Features.Smtp.OAuth;

/// <summary>The OAuth 2.0 client SecretAdmin asks for SMTP access tokens as: the non-secret part of its settings.</summary>
public sealed record OAuthClient(OAuthGrant Grant, string TokenEndpoint, string ClientId, string Scope, OAuthClientAuthentication Authentication)
{
    /// <summary>
    /// What the client secret and the private key are sealed for: the token endpoint (as saved:
    /// trimmed) and the client id. They open only for the token endpoint and client they were saved with.
    /// </summary>
    public string Destination => DestinationOf(TokenEndpoint, ClientId);

    /// <summary>A signed assertion is sent (as the grant or as the client's authentication), so the private key is needed; else the client secret.</summary>
    public bool UsesPrivateKey => Grant == OAuthGrant.JwtBearer || Authentication == OAuthClientAuthentication.PrivateKeyJwt;

    public static string DestinationOf(string? tokenEndpoint, string? clientId) => SecretDestination.Of(
        "oauth",
        ("token_endpoint", FieldChanges.Clean(tokenEndpoint)),
        ("client_id", FieldChanges.Clean(clientId)));

    public static OAuthClient Of(SmtpSettingsForm form) => new(
        form.OAuthGrant,
        FieldChanges.Clean(form.OAuthTokenEndpoint) ?? string.Empty,
        FieldChanges.Clean(form.OAuthClientId) ?? string.Empty,
        FieldChanges.Clean(form.OAuthScope) ?? string.Empty,
        form.OAuthClientAuthentication);

    public static OAuthClient Of(SmtpSettings row) => new(
        row.OAuthGrant,
        row.OAuthTokenEndpoint ?? string.Empty, row.OAuthClientId ?? string.Empty, row.OAuthScope ?? string.Empty, row.OAuthClientAuthentication);
}
