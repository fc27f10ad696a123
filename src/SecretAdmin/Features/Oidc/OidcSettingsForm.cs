using SecretAdmin.Features.Settings;

namespace SecretAdmin.Features.Oidc;

/// <summary>
/// The OIDC settings as a page or the command line edits them. The client secret box is empty
/// unless something is typed: <see cref="NewClientSecret"/> null keeps the stored secret.
/// </summary>
public sealed class OidcSettingsForm
{
    public bool Enabled { get; set; }

    public string ButtonLabel { get; set; } = "Single sign-on";

    public string? Authority { get; set; }

    public string? ClientId { get; set; }

    public string? NewClientSecret { get; set; }

    public bool ClearClientSecret { get; set; }

    public string Scopes { get; set; } = "openid profile email";

    public string CallbackPath { get; set; } = "/signin-oidc";

    public string? RoleClaimType { get; set; }

    public string? AdminRoleValue { get; set; }

    public bool CreateUnknownUsers { get; set; }

    public bool LinkByVerifiedEmail { get; set; }

    public string? AllowedEmailDomains { get; set; }

    public string? EmailClaimFallback { get; set; }

    public SsoClientAuthentication ClientAuthentication { get; set; }

    public string? HostedDomainClaim { get; set; }

    public string? HostedDomains { get; set; }

    public SecretChange ClientSecretChange => SecretChange.From(NewClientSecret, ClearClientSecret);

    public static OidcSettingsForm From(OidcSettingsView view) => new()
    {
        Enabled = view.Enabled,
        ButtonLabel = view.ButtonLabel,
        Authority = view.Authority,
        ClientId = view.ClientId,
        Scopes = view.Scopes,
        CallbackPath = view.CallbackPath,
        RoleClaimType = view.RoleClaimType,
        AdminRoleValue = view.AdminRoleValue,
        CreateUnknownUsers = view.CreateUnknownUsers,
        LinkByVerifiedEmail = view.LinkByVerifiedEmail,
        AllowedEmailDomains = view.AllowedEmailDomains,
        EmailClaimFallback = view.EmailClaimFallback,
        ClientAuthentication = view.ClientAuthentication,
        HostedDomainClaim = view.HostedDomainClaim,
        HostedDomains = view.HostedDomains,
    };
}
