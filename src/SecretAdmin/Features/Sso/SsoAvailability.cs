using SecretAdmin.Features.Oidc;
using SecretAdmin.Features.Settings;
using SecretAdmin.Security;

namespace SecretAdmin.Features.Sso;

/// <summary>Whether the stored OIDC settings can sign anyone in, and if not, why (never a value).</summary>
public sealed record SsoAvailability(bool Ready, string Reason)
{
    public static SsoAvailability Of(OidcSettingsView settings) => settings switch
    {
        { Enabled: false } => new(false, "single sign-on is off"),
        { Authority: null or "" } or { ClientId: null or "" } => new(false, "the authority or client id is missing"),
        { ClientSecret: SecretStatus.NotSet } => new(false, "no client secret is stored"),
        { ClientSecret: SecretStatus.Unreadable unreadable } => new(false, $"the stored client secret cannot be opened ({unreadable.Description})"),
        _ => new(true, "ready"),
    };

    /// <summary>Whether a test sign-in can run: as <see cref="Of"/>, whether single sign-on is offered yet or not.</summary>
    public static SsoAvailability ForTest(OidcSettingsView settings) => Of(settings with { Enabled = true });
}
