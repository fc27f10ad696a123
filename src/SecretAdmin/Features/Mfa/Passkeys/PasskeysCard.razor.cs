using System.Globalization;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using SecretAdmin.Access;
using SecretAdmin.Components.Shared;
using SecretAdmin.Features.Audit;

namespace SecretAdmin.Features.Mfa.Passkeys;

/// <summary>
/// The owner's passkeys on the two-factor page: the list (name, when added and last used, whether
/// it syncs), rename and remove after proving it is them, and "Add a passkey", which the browser
/// carries out with <c>wwwroot/js/passkeys.js</c> and the passkey endpoints.
/// </summary>
public partial class PasskeysCard
{
    private bool _loading = true;
    private bool _busy;
    private IReadOnlyList<PasskeySummary> _passkeys = [];
    private int _unusedRecoveryCodes;
    private string? _name;
    private string? _proof;
    private string? _renaming;
    private string? _newName;
    private string? _error;

    [Inject]
    private PasskeyService Passkeys { get; set; } = default!;

    [Inject]
    private MfaEnrollmentService Mfa { get; set; } = default!;

    [Inject]
    private CurrentActor CurrentActor { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Parameter, EditorRequired]
    public string UserId { get; set; } = "";

    [Parameter]
    public SecondFactorRequirement Requirement { get; set; }

    /// <summary>Whether the owner also has an authenticator app (whose part of the page then offers new recovery codes).</summary>
    [Parameter]
    public bool HasAuthenticator { get; set; }

    /// <summary>Whether the page was loaded after a passkey was added.</summary>
    [Parameter]
    public bool Added { get; set; }

    [Parameter]
    public string? ReturnUrl { get; set; }

    /// <summary>Where the owner goes on once nothing the policy asks is missing (they came here from another page).</summary>
    [Parameter]
    public string? ContinueUrl { get; set; }

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    /// <summary>New recovery codes, for the page to show once.</summary>
    [Parameter]
    public EventCallback<IReadOnlyList<string>> OnRecoveryCodes { get; set; }

    /// <summary>A passkey was removed: the page's other parts may change.</summary>
    [Parameter]
    public EventCallback OnChanged { get; set; }

    /// <summary>A change to someone's second factors needs proof it is them; a first one does not.</summary>
    private bool NeedsProof => HasAuthenticator || _passkeys.Count > 0;

    // Loaded once: the page re-renders this card as its other parts change, which changes no passkey.
    protected override async Task OnInitializedAsync() => await ReloadAsync();

    private async Task ReloadAsync()
    {
        _loading = true;
        _passkeys = await Passkeys.ListAsync(UserId);
        _unusedRecoveryCodes = await Mfa.CountUnusedRecoveryCodesAsync(UserId);
        _loading = false;
    }

    private static string Format(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    private void StartRename(PasskeySummary passkey)
    {
        _renaming = passkey.Id;
        _newName = passkey.Name;
        _error = null;
    }

    private Task RenameAsync(PasskeySummary passkey) =>
        AfterProofAsync(async actor =>
        {
            var result = await Passkeys.RenameAsync(actor, UserId, passkey.Id, _newName);
            if (!result.Succeeded)
            {
                _error = result.Message;
                return;
            }

            _renaming = null;
            Snackbar.Add("The passkey was renamed.", Severity.Success);
            await ReloadAsync();
        });

    private async Task RemoveAsync(PasskeySummary passkey)
    {
        if (!await Dialogs.ConfirmAsync("Remove passkey?", $"\"{passkey.Name}\" no longer signs you in. Also remove it from the device or password manager that holds it.", "Remove"))
        {
            return;
        }

        await AfterProofAsync(async actor =>
        {
            var result = await Passkeys.RemoveAsync(actor, UserId, passkey.Id);
            if (!result.Succeeded)
            {
                _error = result.Message;
                return;
            }

            Snackbar.Add("The passkey was removed.", Severity.Success);
            await ReloadAsync();
            await OnChanged.InvokeAsync();
        });
    }

    private Task RegenerateAsync() =>
        AfterProofAsync(async actor => await OnRecoveryCodes.InvokeAsync(await Mfa.RegenerateRecoveryCodesAsync(actor, UserId)));

    /// <summary>Checks the password or code typed in the card, then runs <paramref name="change"/>; a wrong one counts toward lockout.</summary>
    private async Task AfterProofAsync(Func<AuditActor, Task> change)
    {
        if (_busy)
        {
            return;
        }

        _busy = true;
        _error = null;
        try
        {
            var actor = await CurrentActor.GetAsync();
            var check = await Mfa.ReauthenticateAsync(actor, UserId, _proof);
            _proof = null;
            if (!check.Confirmed)
            {
                _error = check.Message;
                return;
            }

            await change(actor);
        }
        finally
        {
            _busy = false;
        }
    }
}
