using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using MudBlazor;
using SecretAdmin.Features.Settings;

namespace SecretAdmin.Features.Smtp;

public sealed partial class SmtpSettingsPage : IDisposable
{
    /// <summary>The key <see cref="SmtpSettingsService.SendTestMailAsync"/> uses for the recipient's message.</summary>
    private const string Recipient = "Recipient";

    private static readonly IReadOnlyDictionary<string, string[]> NoErrors = new Dictionary<string, string[]>();

    /// <summary>The fields a test mail's answer depends on: once one changes, that answer is about other settings.</summary>
    private static readonly HashSet<string> ServerFields = new(StringComparer.Ordinal)
    {
        nameof(SmtpSettingsForm.Host),
        nameof(SmtpSettingsForm.Port),
        nameof(SmtpSettingsForm.Security),
        nameof(SmtpSettingsForm.Authentication),
        nameof(SmtpSettingsForm.Username),
        nameof(SmtpSettingsForm.NewPassword),
        nameof(SmtpSettingsForm.ClearPassword),
        nameof(SmtpSettingsForm.OAuthGrant),
        nameof(SmtpSettingsForm.OAuthTokenEndpoint),
        nameof(SmtpSettingsForm.OAuthClientId),
        nameof(SmtpSettingsForm.OAuthScope),
        nameof(SmtpSettingsForm.OAuthClientAuthentication),
        nameof(SmtpSettingsForm.NewOAuthClientSecret),
        nameof(SmtpSettingsForm.ClearOAuthClientSecret),
        nameof(SmtpSettingsForm.NewOAuthPrivateKey),
        nameof(SmtpSettingsForm.ClearOAuthPrivateKey),
        nameof(SmtpSettingsForm.FromAddress),
    };

    private readonly CancellationTokenSource _disposed = new();
    private readonly SettingsEditor<SmtpSettingsView, SmtpSettingsForm> _editor = new();
    private SettingsFormValidator? _validator;
    private string? _recipient;
    private string? _recipientMessage;
    private TestMailResult? _testMail;
    private bool _sending;
    private string? _sendingTo;
    private int _sendingTimeout;
    private EditContext? _watched;
    private string? _presetNote;

    [Inject]
    private SmtpSettingsService Settings { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private ILogger<SmtpSettingsPage> Logger { get; set; } = default!;

    /// <summary>The form points at another server than the saved one, which has a password that would not be sent there.</summary>
    private bool UsesOtherServer =>
        _editor.Form.Authentication == SmtpAuthentication.Password
        && _editor.View is { } view && view.PasswordIsForAnotherServerThan(_editor.Form) && string.IsNullOrEmpty(_editor.Form.NewPassword) && !_editor.Form.ClearPassword;

    /// <summary>The form points at another token endpoint or client than the saved one, whose credential would not be used there.</summary>
    private bool UsesOtherClient =>
        _editor.Form.Authentication == SmtpAuthentication.OAuth
        && _editor.View is { } view && view.OAuthCredentialIsForAnotherClientThan(_editor.Form)
        && string.IsNullOrEmpty(UsesPrivateKey ? _editor.Form.NewOAuthPrivateKey : _editor.Form.NewOAuthClientSecret);

    private bool UsesPrivateKey => Smtp.OAuth.OAuthClient.Of(_editor.Form).UsesPrivateKey;

    /// <summary>Microsoft 365's host with password sign-in, which it turns off.</summary>
    private bool Microsoft365WithPassword =>
        _editor.Form.Authentication == SmtpAuthentication.Password && SmtpProviders.IsMicrosoft365(_editor.Form.Host);

    public void Dispose()
    {
        Unwatch();
        _disposed.Cancel();
        _disposed.Dispose();
    }

    protected override Task OnInitializedAsync() => LoadAsync();

    private async Task LoadAsync()
    {
        await _editor.LoadAsync(() => Settings.GetAsync(), SmtpSettingsForm.From, Logger);
        Watch();
    }

    /// <summary>Follows the loaded form's edits, so a test mail's answer goes once the settings it was about change.</summary>
    private void Watch()
    {
        if (_editor.EditContext == _watched)
        {
            return;
        }

        Unwatch();
        _watched = _editor.EditContext;
        if (_watched is not null)
        {
            _watched.OnFieldChanged += ServerFieldChanged;
        }
    }

    private void Unwatch()
    {
        if (_watched is not null)
        {
            _watched.OnFieldChanged -= ServerFieldChanged;
            _watched = null;
        }
    }

    private void ServerFieldChanged(object? sender, FieldChangedEventArgs e)
    {
        if (_testMail is not null && ServerFields.Contains(e.FieldIdentifier.FieldName))
        {
            _testMail = null;
            StateHasChanged();
        }
    }

    private async Task SaveAsync()
    {
        if (await _editor.SaveAsync(async (form, view) => await Settings.SaveAsync(await CurrentActor.GetAsync(), form, view.Version), _validator!))
        {
            Snackbar.Add("SMTP settings saved.", Severity.Success);
            await LoadAsync();
        }
    }

    /// <summary>Fills the known settings of a provider; the client id and its credential are still to be entered.</summary>
    private void ApplyPreset(SmtpPreset preset)
    {
        _editor.Form.Apply(preset);
        _presetNote = preset.Registration;
        _editor.EditContext?.NotifyFieldChanged(FieldIdentifier.Create(() => _editor.Form.Host));
    }

    private async Task ReloadAsync()
    {
        if (await Dialogs.ConfirmReloadAsync(_editor.EditContext!))
        {
            await LoadAsync();
        }
    }

    /// <summary>Sends a test mail with the form's values, saved or not; its messages on the settings' fields last until each field is edited.</summary>
    private async Task SendTestMailAsync()
    {
        if (_sending)
        {
            return;
        }

        _sending = true;
        _sendingTo = $"{_editor.Form.Host?.Trim()}:{_editor.Form.Port}";
        _sendingTimeout = _editor.Form.TimeoutSeconds;
        _testMail = null;
        _recipientMessage = null;
        _validator?.ShowTestMailErrors(NoErrors);
        try
        {
            _testMail = await Settings.SendTestMailAsync(await CurrentActor.GetAsync(), _editor.Form, _recipient, _disposed.Token);
            _recipientMessage = _testMail.Errors.TryGetValue(Recipient, out var messages) ? string.Join(" ", messages) : null;
            _validator?.ShowTestMailErrors(_testMail.Errors.Where(e => e.Key != Recipient).ToDictionary());
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
            // The page was left while the server was still answering; nobody is waiting for the result.
        }
        finally
        {
            _sending = false;
        }
    }

    /// <summary>The last test mail's message for the recipient no longer applies once it is edited.</summary>
    private void ForgetRecipientMessage() => _recipientMessage = null;

    private static string LabelOf(string field) => field switch
    {
        nameof(SmtpSettingsForm.Host) => "Host: ",
        nameof(SmtpSettingsForm.Port) => "Port: ",
        nameof(SmtpSettingsForm.Security) => "Security: ",
        nameof(SmtpSettingsForm.Username) => "Username: ",
        nameof(SmtpSettingsForm.NewPassword) => "Password: ",
        nameof(SmtpSettingsForm.OAuthTokenEndpoint) => "Token endpoint: ",
        nameof(SmtpSettingsForm.OAuthClientId) => "Client id: ",
        nameof(SmtpSettingsForm.OAuthScope) => "Scope: ",
        nameof(SmtpSettingsForm.NewOAuthClientSecret) => "Client secret: ",
        nameof(SmtpSettingsForm.NewOAuthPrivateKey) => "Private key: ",
        nameof(SmtpSettingsForm.FromAddress) => "From address: ",
        nameof(SmtpSettingsForm.FromName) => "From name: ",
        nameof(SmtpSettingsForm.TimeoutSeconds) => "Timeout: ",
        _ => "",
    };
}
