using SecretAdmin.Features.Settings;
using SecretAdmin.Security;

namespace SecretAdmin.Features.Oidc;

/// <summary>The single row of OpenID Connect settings. <see cref="ClientSecret"/> holds a sealed envelope, never plaintext.</summary>
public sealed class OidcSettings : ISingleRowSettings
{
    public const int SingletonId = 1;

    public int Id { get; set; } = SingletonId;

    public bool Enabled { get; set; }

    public string ButtonLabel { get; set; } = "Single sign-on";

    public string? Authority { get; set; }

    public string? ClientId { get; set; }

    /// <summary>The sealed client secret, bound to the authority and client id.</summary>
    public SealedSecret ClientSecret { get; set; } = new();

    public string Scopes { get; set; } = "openid profile email";

    public string CallbackPath { get; set; } = "/signin-oidc";

    public string? RoleClaimType { get; set; }

    public string? AdminRoleValue { get; set; }

    public bool CreateUnknownUsers { get; set; }

    /// <summary>
    /// Whether a provider sign-in not linked yet may be linked to the local user with the same
    /// email; only when the provider says that email is verified.
    /// </summary>
    public bool LinkByVerifiedEmail { get; set; }

    public string? AllowedEmailDomains { get; set; }

    /// <summary>A claim to read the email from when the provider sends no <c>email</c> (such as <c>upn</c> or <c>preferred_username</c>): it creates a user, never links one.</summary>
    public string? EmailClaimFallback { get; set; }

    /// <summary>How the client secret is sent: chosen from the discovery document, or fixed.</summary>
    public SsoClientAuthentication ClientAuthentication { get; set; } = SsoClientAuthentication.Automatic;

    /// <summary>A claim every sign-in must carry with one of <see cref="HostedDomains"/> (Google Workspace's <c>hd</c>); none when empty.</summary>
    public string? HostedDomainClaim { get; set; }

    public string? HostedDomains { get; set; }

    public DateTime? UpdatedAtUtc { get; set; }

    public string? UpdatedBy { get; set; }

    /// <summary>
    /// What the client secret is sealed for: the authority (as saved: trimmed, without a trailing
    /// slash) and the client id. The secret opens only for the provider and client it was saved with.
    /// </summary>
    public static string ClientSecretDestination(string? authority, string? clientId) => SecretDestination.Of(
        "oidc",
        ("authority", NormalAuthority(authority)),
        ("client_id", FieldChanges.Clean(clientId)));

    /// <summary>The authority as it is saved and used.</summary>
    public static string? NormalAuthority(string? authority) => FieldChanges.Clean(authority)?.TrimEnd('/');

    /// <summary>Concurrency token: a save that started from an older version is refused.</summary>
    public long Version { get; set; }
}
