using System.Security.Claims;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.JSInterop;
using MudBlazor;
using SecretAdmin.Access;
using SecretAdmin.Features.Account;
using SecretAdmin.Features.Mfa.Passkeys;
using SecretAdmin.Features.Mfa.Totp;

namespace SecretAdmin.Features.Mfa;

/// <summary>
/// The owner's authenticator: enroll (QR code and key, confirmed by one code), see its state, and,
/// after proving it is them again, replace the recovery codes, move to a new phone or turn it off.
/// </summary>
public partial class MfaEnrollmentPage : IAsyncDisposable
{
    /// <summary>Copies and downloads the recovery codes in the browser; nothing of them goes back to the server.</summary>
    internal const string RecoveryCodesModule = "./js/recovery-codes.js";

    private bool _loading = true;
    private bool _busy;
    private bool _required;
    private SecondFactorRequirement _requirement;
    private SecondFactorSet _factors = SecondFactorSet.None;
    private string? _continueUrl;
    private MfaStatus _status = MfaStatus.NotEnrolled;
    private TotpEnrollmentOffer? _offer;
    private string? _qrSvg;
    private string? _code;
    private string? _proof;
    private string? _error;
    private IReadOnlyList<string>? _recoveryCodes;
    private IJSObjectReference? _recoveryCodesModule;
    private ClaimsPrincipal _user = new();
    private string _userId = "";

    [Inject]
    private MfaEnrollmentService Mfa { get; set; } = default!;

    [Inject]
    private RequiredAccountSteps Steps { get; set; } = default!;

    [Inject]
    private CurrentActor CurrentActor { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private IJSRuntime JS { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    /// <summary>Where a user sent here by the MFA policy goes once enrolled.</summary>
    [SupplyParameterFromQuery]
    public string? ReturnUrl { get; set; }

    /// <summary>"added" after the browser added a passkey.</summary>
    [SupplyParameterFromQuery(Name = "passkey")]
    public string? Passkey { get; set; }

    protected override async Task OnInitializedAsync()
    {
        _user = (await AuthenticationState).User;
        _userId = _user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "";
        await ReloadAsync();
    }

    private static string Describe(TotpParameters parameters) =>
        $"{parameters.Digits}-digit codes every {parameters.PeriodSeconds} seconds, {parameters.Algorithm.ToString().ToUpperInvariant()}";

    private async Task ReloadAsync()
    {
        _loading = true;
        _status = await Mfa.GetStatusAsync(_userId);
        _factors = await Mfa.FactorsAsync(_userId);
        _requirement = await Steps.RequiredForAsync(_user);

        // The authenticator is needed when the policy asks for a second factor and no passkey stands in for it.
        _required = _requirement != SecondFactorRequirement.None && _factors.Passkeys == 0;
        _continueUrl = ReturnUrl is not null && await Steps.PendingForAsync(_user) == AccountStep.None ? LocalRedirect.Sanitize(ReturnUrl) : null;
        _loading = false;
    }

    private async Task StartAsync()
    {
        await RunAsync(async () =>
        {
            _offer = await Mfa.OfferAsync(_userId);
            _qrSvg = QrCodeSvg.For(_offer.OtpAuthUri);
        });
    }

    private void CancelOffer()
    {
        _offer = null;
        _qrSvg = null;
        _code = null;
        _error = null;
    }

    private async Task ConfirmAsync()
    {
        if (_offer is null)
        {
            return;
        }

        await RunAsync(async () =>
        {
            var result = await Mfa.ConfirmAsync(await CurrentActor.GetAsync(), _userId, _offer, _code);
            _code = null;
            if (!result.Succeeded)
            {
                _error = result.Message;
                return;
            }

            // The secret leaves this page's memory once it is sealed and stored.
            CancelOffer();
            _recoveryCodes = result.RecoveryCodes;
        });
    }

    private Task RegenerateAsync() =>
        AfterReauthenticationAsync(async actor => _recoveryCodes = await Mfa.RegenerateRecoveryCodesAsync(actor, _userId));

    private Task ReenrollAsync() =>
        AfterReauthenticationAsync(async _ =>
        {
            _offer = await Mfa.OfferAsync(_userId);
            _qrSvg = QrCodeSvg.For(_offer.OtpAuthUri);
        });

    private Task DisableAsync() =>
        AfterReauthenticationAsync(async actor =>
        {
            var result = await Mfa.DisableAsync(actor, _userId);
            if (!result.Succeeded)
            {
                _error = result.Message;
                return;
            }

            Snackbar.Add("Two-factor sign-in is off. Your recovery codes no longer work.", Severity.Success);
            await ReloadAsync();
        });

    private async Task AfterReauthenticationAsync(Func<Audit.AuditActor, Task> change)
    {
        await RunAsync(async () =>
        {
            var actor = await CurrentActor.GetAsync();
            var check = await Mfa.ReauthenticateAsync(actor, _userId, _proof);
            _proof = null;
            if (!check.Confirmed)
            {
                _error = check.Message;
                return;
            }

            await change(actor);
        });
    }

    /// <summary>The codes as a text file holds them: a line saying what they are, then one code a line.</summary>
    private string RecoveryCodesText() =>
        $"SecretAdmin recovery codes for {_user.FindFirstValue(ClaimTypes.Email) ?? _user.Identity?.Name}. Each signs in once.\n\n"
        + string.Join("\n", _recoveryCodes ?? []) + "\n";

    private async Task CopyCodesAsync()
    {
        var copied = await RecoveryCodesModuleAsync(module => module.InvokeAsync<bool>("copyText", string.Join("\n", _recoveryCodes ?? [])).AsTask());
        if (copied)
        {
            Snackbar.Add("Recovery codes copied.", Severity.Success);
        }
        else
        {
            Snackbar.Add("The browser did not allow copying. Select the codes and copy them, or download them.", Severity.Warning);
        }
    }

    private async Task DownloadCodesAsync()
    {
        var done = await RecoveryCodesModuleAsync(async module =>
        {
            await module.InvokeVoidAsync("downloadText", "secretadmin-recovery-codes.txt", RecoveryCodesText());
            return true;
        });
        if (!done)
        {
            Snackbar.Add("The browser did not start the download. Select the codes and copy them instead.", Severity.Warning);
        }
    }

    /// <summary>Runs <paramref name="use"/> with the browser module; false when the browser refused or is gone.</summary>
    private async Task<bool> RecoveryCodesModuleAsync(Func<IJSObjectReference, Task<bool>> use)
    {
        try
        {
            _recoveryCodesModule ??= await JS.InvokeAsync<IJSObjectReference>("import", RecoveryCodesModule);
            return await use(_recoveryCodesModule);
        }
        catch (JSException)
        {
            return false;
        }
        catch (JSDisconnectedException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_recoveryCodesModule is not null)
        {
            try
            {
                await _recoveryCodesModule.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
            }
        }
    }

    private void ShowRecoveryCodes(IReadOnlyList<string> codes) => _recoveryCodes = codes;

    private async Task DoneWithCodesAsync()
    {
        _recoveryCodes = null;
        if (_required && !_status.Enrolled)
        {
            // Enrolled as the policy asked: a full page load lets the request pass the policy's check.
            Navigation.NavigateTo(LocalRedirect.Sanitize(ReturnUrl), forceLoad: true);
            return;
        }

        await ReloadAsync();
    }

    private async Task RunAsync(Func<Task> action)
    {
        if (_busy)
        {
            return;
        }

        _busy = true;
        _error = null;
        try
        {
            await action();
        }
        finally
        {
            _busy = false;
        }
    }
}
