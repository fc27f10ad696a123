using Microsoft.AspNetCore.Components;
using MudBlazor;
using SecretAdmin.Features.Settings;

namespace SecretAdmin.Features.Oidc;

public partial class OidcSettingsPage
{
    private readonly SettingsEditor<OidcSettingsView, OidcSettingsForm> _editor = new();
    private SettingsFormValidator? _validator;
    private DiscoveryCheckResult? _discovery;
    private bool _checking;

    [Inject]
    private OidcSettingsService Settings { get; set; } = default!;

    [Inject]
    private OidcDiscoveryChecker Discovery { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private ILogger<OidcSettingsPage> Logger { get; set; } = default!;

    /// <summary>The redirect URI to register at the provider: this app's address (as the browser sees it) and the callback path.</summary>
    private string CallbackHelperText =>
        $"The path the provider redirects to after sign-in. Register {Navigation.BaseUri.TrimEnd('/')}{_editor.Form.CallbackPath?.Trim()} at the provider as the redirect URI.";

    private string ButtonLabelHelperText =>
        string.IsNullOrWhiteSpace(_editor.Form.ButtonLabel)
            ? $"The provider's name, such as Contoso: the button reads “{SsoButtonLabel.Prefix} Contoso”."
            : $"The provider's name, such as Contoso. The sign-in page shows “{SsoButtonLabel.ButtonText(_editor.Form.ButtonLabel)}”.";

    protected override Task OnInitializedAsync() => LoadAsync();

    private Task LoadAsync() => _editor.LoadAsync(() => Settings.GetAsync(), OidcSettingsForm.From, Logger);

    private async Task SaveAsync()
    {
        if (await _editor.SaveAsync(async (form, view) => await Settings.SaveAsync(await CurrentActor.GetAsync(), form, view.Version), _validator!))
        {
            Snackbar.Add("OIDC settings saved.", Severity.Success);
            await LoadAsync();
        }
    }

    private async Task ReloadAsync()
    {
        if (await Dialogs.ConfirmReloadAsync(_editor.EditContext!))
        {
            await LoadAsync();
        }
    }

    /// <summary>A discovery result belongs to the authority it checked; a new authority needs a new check.</summary>
    private void ForgetDiscovery() => _discovery = null;

    private async Task CheckDiscoveryAsync()
    {
        _checking = true;
        _discovery = null;
        try
        {
            _discovery = await Discovery.CheckAsync(_editor.Form.Authority);
        }
        finally
        {
            _checking = false;
        }
    }
}
