using SecretAdmin.Features.Settings;

namespace SecretAdmin.Features.Oidc;

/// <summary>
/// The OIDC settings as a page or the command line edits them. The client secret box is empty
/// unless something is typed: <see cref="NewClientSecret"/> null keeps the stored secret.
/// </summary>
public sealed class OidcSettingsForm : ITextInputForm
{
    public const int AuthorityMaxLength = 2000;

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

    /// <summary>The text inputs, labelled as the page labels them; each bound is its column's length.</summary>
    public IEnumerable<TextInputField> TextInputs() =>
    [
        new(nameof(ButtonLabel), "Provider name on the button", ButtonLabel, 100),
        new(nameof(Authority), "Authority", Authority, AuthorityMaxLength),
        new(nameof(ClientId), "Client id", ClientId, 500),
        new(nameof(Scopes), "Scopes", Scopes, 1000),
        new(nameof(CallbackPath), "Callback path", CallbackPath, 200),
        new(nameof(RoleClaimType), "Role or group claim", RoleClaimType, 200),
        new(nameof(AdminRoleValue), "Administrator value", AdminRoleValue, 200),
        new(nameof(AllowedEmailDomains), "Allowed email domains", AllowedEmailDomains, 2000),
        new(nameof(EmailClaimFallback), "Email claim when email is missing", EmailClaimFallback, 200),
        new(nameof(HostedDomainClaim), "Hosted-domain claim", HostedDomainClaim, 200),
        new(nameof(HostedDomains), "Allowed hosted domains", HostedDomains, 2000),
    ];

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
