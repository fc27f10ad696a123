using SecretAdmin.Features.Settings;
using SecretAdmin.Security;

namespace SecretAdmin.Features.Oidc;

/// <summary>The stored OIDC settings as pages and the command line see them: the secret's status only.</summary>
public sealed record OidcSettingsView(
    bool Enabled,
    string ButtonLabel,
    string? Authority,
    string? ClientId,
    SecretStatus ClientSecret,
    string Scopes,
    string CallbackPath,
    string? RoleClaimType,
    string? AdminRoleValue,
    bool CreateUnknownUsers,
    bool LinkByVerifiedEmail,
    string? AllowedEmailDomains,
    string? EmailClaimFallback,
    SsoClientAuthentication ClientAuthentication,
    string? HostedDomainClaim,
    string? HostedDomains,
    DateTime? UpdatedAtUtc,
    string? UpdatedBy,
    long Version);
