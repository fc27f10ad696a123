using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using MudBlazor;
using SecretAdmin.Features.Settings;

namespace SecretAdmin.Features.Mfa;

public partial class MfaPolicyPage
{
    private MfaPolicyView? _view;
    private MfaPolicyForm _form = new();
    private EditContext? _editContext;
    private SettingsFormValidator? _validator;
    private bool _loading = true;
    private bool _loadFailed;
    private bool _saving;
    private bool _conflict;

    [Inject]
    private MfaPolicyService Policy { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private ILogger<MfaPolicyPage> Logger { get; set; } = default!;

    /// <summary>The digits have no input of their own to turn red; their label does.</summary>
    private bool DigitsHaveAMessage => _editContext?.GetValidationMessages(() => _form.Digits).Any() == true;

    protected override Task OnInitializedAsync() => LoadAsync();

    private async Task LoadAsync()
    {
        _loading = true;
        try
        {
            _view = await Policy.GetAsync();
            _form = MfaPolicyForm.From(_view);
            _editContext = new EditContext(_form);
            _conflict = false;
            _loadFailed = false;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Logger.LogError(e, "The MFA policy could not be loaded.");
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
            var result = await Policy.SaveAsync(await CurrentActor.GetAsync(), _form, _view!.Version);
            switch (result.Outcome)
            {
                case SettingsSaveOutcome.Saved:
                    Snackbar.Add("MFA policy saved.", Severity.Success);
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

    // The switch shows on while everyone must use MFA (that includes administrators) and is
    // disabled then, so only a change made while it is enabled reaches the form.
    private void RequireForAdminsChanged(bool value) => _form.RequireForAdmins = value;
}
