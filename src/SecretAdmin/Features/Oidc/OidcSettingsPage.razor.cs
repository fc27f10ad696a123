using Microsoft.AspNetCore.Components;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Settings;

namespace SecretAdmin.Features.Oidc;

public partial class OidcSettingsPage
{
    private OidcSettingsForm _form = new();
    private DiscoveryCheckResult? _discovery;
    private bool _checking;

    [Inject]
    private OidcSettingsService Settings { get; set; } = default!;

    [Inject]
    private OidcDiscoveryChecker Discovery { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    /// <summary>The redirect URI to register at the provider: this app's address (as the browser sees it) and the callback path.</summary>
    private string CallbackHelperText =>
        $"The path the provider redirects to after sign-in. Register {Navigation.BaseUri.TrimEnd('/')}{_form.CallbackPath?.Trim()} at the provider as the redirect URI.";

    protected override string What => "OIDC settings";

    protected override Task<OidcSettingsView> LoadAsync() => Settings.GetAsync();

    protected override long VersionOf(OidcSettingsView view) => view.Version;

    protected override void ResetForm(OidcSettingsView view) => _form = OidcSettingsForm.From(view);

    protected override IReadOnlyDictionary<string, string[]> Validate(OidcSettingsView view) =>
        OidcSettingsValidator.Validate(_form, view.ClientSecret);

    protected override Task<SettingsSaveResult> SaveAsync(AuditActor actor, long version) =>
        Settings.SaveAsync(actor, _form, version);

    /// <summary>A discovery result belongs to the authority it checked; a new authority needs a new check.</summary>
    private void AuthorityChanged()
    {
        _discovery = null;
        Touched(nameof(_form.Authority));
    }

    private async Task CheckDiscoveryAsync()
    {
        _checking = true;
        _discovery = null;
        try
        {
            _discovery = await Discovery.CheckAsync(_form.Authority);
        }
        finally
        {
            _checking = false;
        }
    }
}
