using SecretAdmin.Features.Settings;

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

    /// <summary>The sealed client secret (<c>sa1:</c> envelope), or null when unset.</summary>
    public string? ClientSecret { get; set; }

    public DateTime? ClientSecretUpdatedAtUtc { get; set; }

    public string? ClientSecretUpdatedBy { get; set; }

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

    public DateTime? UpdatedAtUtc { get; set; }

    public string? UpdatedBy { get; set; }

    /// <summary>Concurrency token: a save that started from an older version is refused.</summary>
    public long Version { get; set; }
}
