using Microsoft.AspNetCore.Components;
using MudBlazor;
using SecretAdmin.Features.Settings;

namespace SecretAdmin.Features.Mfa;

public partial class MfaPolicyPage
{
    private readonly SettingsEditor<MfaPolicyView, MfaPolicyForm> _editor = new();
    private SettingsFormValidator? _validator;

    [Inject]
    private MfaPolicyService Policy { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private ILogger<MfaPolicyPage> Logger { get; set; } = default!;

    /// <summary>The digits have no input of their own to turn red; their label does.</summary>
    private bool DigitsHaveAMessage => _editor.EditContext?.GetValidationMessages(() => _editor.Form.Digits).Any() == true;

    protected override Task OnInitializedAsync() => LoadAsync();

    private Task LoadAsync() => _editor.LoadAsync(() => Policy.GetAsync(), MfaPolicyForm.From, Logger);

    private async Task SaveAsync()
    {
        if (await _editor.SaveAsync(async (form, view) => await Policy.SaveAsync(await CurrentActor.GetAsync(), form, view.Version), _validator!))
        {
            Snackbar.Add("MFA policy saved.", Severity.Success);
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

    // The switch shows on while everyone must use MFA (that includes administrators) and is
    // disabled then, so only a change made while it is enabled reaches the form.
    private void RequireForAdminsChanged(bool value) => _editor.Form.RequireForAdmins = value;

    private void RequirePasskeyForAdminsChanged(bool value) => _editor.Form.RequirePasskeyForAdmins = value;
}
