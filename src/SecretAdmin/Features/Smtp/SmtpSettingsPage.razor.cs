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

    private readonly CancellationTokenSource _disposed = new();
    private SmtpSettingsView? _view;
    private SmtpSettingsForm _form = new();
    private EditContext? _editContext;
    private SettingsFormValidator? _validator;
    private bool _loading = true;
    private bool _loadFailed;
    private bool _saving;
    private bool _conflict;
    private string? _recipient;
    private string? _recipientMessage;
    private TestMailResult? _testMail;
    private bool _sending;
    private string? _sendingTo;
    private int _sendingTimeout;

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
        _view is { } view && view.PasswordIsForAnotherServerThan(_form) && string.IsNullOrEmpty(_form.NewPassword) && !_form.ClearPassword;

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
    }

    protected override Task OnInitializedAsync() => LoadAsync();

    /// <summary>Fills a new form from the stored settings; the password box and its Clear flag start empty.</summary>
    private async Task LoadAsync()
    {
        _loading = true;
        try
        {
            _view = await Settings.GetAsync();
            _form = SmtpSettingsForm.From(_view);
            _editContext = new EditContext(_form);
            _conflict = false;
            _loadFailed = false;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Logger.LogError(e, "The SMTP settings could not be loaded.");
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
                    Snackbar.Add("SMTP settings saved.", Severity.Success);
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

    /// <summary>Sends a test mail with the form's values, saved or not; its messages on the settings' fields last until each field is edited.</summary>
    private async Task SendTestMailAsync()
    {
        if (_sending)
        {
            return;
        }

        _sending = true;
        _sendingTo = $"{_form.Host?.Trim()}:{_form.Port}";
        _sendingTimeout = _form.TimeoutSeconds;
        _testMail = null;
        _recipientMessage = null;
        _validator?.ShowTestMailErrors(NoErrors);
        try
        {
            _testMail = await Settings.SendTestMailAsync(await CurrentActor.GetAsync(), _form, _recipient, _disposed.Token);
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
        nameof(SmtpSettingsForm.FromAddress) => "From address: ",
        nameof(SmtpSettingsForm.FromName) => "From name: ",
        nameof(SmtpSettingsForm.TimeoutSeconds) => "Timeout: ",
        _ => "",
    };
}
