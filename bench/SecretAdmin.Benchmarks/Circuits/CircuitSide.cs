namespace SecretAdmin.Benchmarks.Circuits;

/// <summary>
/// One page P4 opens circuits on. A circuit counts as open when the live circuit has rendered the
/// layout's signed-in user (<see cref="LayoutMarker"/>), the page's own marker if it has one, and
/// the page's title.
/// </summary>
internal sealed record CircuitSide(string Name, string Path, string Title, string? PageMarker)
{
    /// <summary>The signed-in user's email in the menu: only there once the circuit knows who is signed in.</summary>
    public const string LayoutMarker = ".nav-user-email";

    public static readonly CircuitSide Empty = new("empty", EmptyPage.Path, "Empty page · SecretAdmin", PageMarker: null);

    /// <summary>The app's own nearest thing to an empty page: the layout and one static message panel.</summary>
    public static readonly CircuitSide NotFound = new("not-found", "/not-found", "Not found · SecretAdmin", ".message-panel");

    /// <summary>The settings pages show their Save button once the stored settings have loaded.</summary>
    public static readonly CircuitSide Oidc = new("oidc", "/settings/oidc", "Single sign-on · SecretAdmin", ".settings-save");

    public static readonly CircuitSide Smtp = new("smtp", "/settings/smtp", "Mail (SMTP) · SecretAdmin", ".settings-save");

    public static readonly CircuitSide Mfa = new("mfa", "/settings/mfa", "MFA policy · SecretAdmin", ".settings-save");

    public static readonly CircuitSide[] All = [Empty, NotFound, Oidc, Smtp, Mfa];

    public static readonly CircuitSide[] SettingsPages = [Oidc, Smtp, Mfa];
}
