using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using MudBlazor;
using SecretAdmin.Features.Settings;

namespace SecretAdmin.Features.Oidc;

public partial class OidcSettingsPage
{
    private OidcSettingsView? _view;
    private OidcSettingsForm _form = new();
    private EditContext? _editContext;
    private SettingsFormValidator? _validator;
    private bool _loading = true;
    private bool _loadFailed;
    private bool _saving;
    private bool _conflict;
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
        $"The path the provider redirects to after sign-in. Register {Navigation.BaseUri.TrimEnd('/')}{_form.CallbackPath?.Trim()} at the provider as the redirect URI.";

    protected override Task OnInitializedAsync() => LoadAsync();

    /// <summary>Fills a new form from the stored settings; the secret box and its Clear flag start empty.</summary>
    private async Task LoadAsync()
    {
        _loading = true;
        try
        {
            _view = await Settings.GetAsync();
            _form = OidcSettingsForm.From(_view);
            _editContext = new EditContext(_form);
            _conflict = false;
            _loadFailed = false;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Logger.LogError(e, "The OIDC settings could not be loaded.");
            _loadFailed = true;
        }
        finally
        {
            _loading = false;
        }
    }

    private async Task SaveAsync()
    {
        if (_saving || !_editContext!.Validate())
        {
            return;
        }

        _saving = true;
        try
        {
            var result = await Settings.SaveAsync(await CurrentActor.GetAsync(), _form, _view!.Version);
            switch (result.Outcome)
            {
                case SettingsSaveOutcome.Saved:
                    Snackbar.Add("OIDC settings saved.", Severity.Success);
                    await LoadAsync();
                    break;
                case SettingsSaveOutcome.Conflict:
                    _conflict = true;
                    break;
                case SettingsSaveOutcome.Invalid:
                    _validator!.ShowSaveErrors(result.Errors);
                    break;
            }
        }
        finally
        {
            _saving = false;
        }
    }

    private async Task ReloadAsync()
    {
        if (await Dialogs.ConfirmReloadAsync(_editContext!))
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
            _discovery = await Discovery.CheckAsync(_form.Authority);
        }
        finally
        {
            _checking = false;
        }
    }
}
