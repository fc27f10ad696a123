using Microsoft.AspNetCore.Components;
using SecretAdmin.Access;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Settings;
using SecretAdmin.Security;

namespace SecretAdmin.Features.Smtp;

public sealed partial class SmtpSettingsPage : IDisposable
{
    /// <summary>The key <see cref="SmtpSettingsService.SendTestMailAsync"/> uses for the recipient's message.</summary>
    private const string Recipient = "Recipient";

    private readonly CancellationTokenSource _disposed = new();
    private readonly Dictionary<string, string[]> _testMailErrors = new(StringComparer.Ordinal);
    private SmtpSettingsForm _form = new();
    private string? _recipient;
    private TestMailResult? _testMail;
    private bool _sending;
    private string? _sendingTo;
    private int _sendingTimeout;

    [Inject]
    private SmtpSettingsService Settings { get; set; } = default!;

    protected override string What => "SMTP settings";

    /// <summary>The form points at another server than the saved one, which has a password that would not be sent there.</summary>
    private bool UsesOtherServer =>
        View is { } view && view.PasswordIsForAnotherServerThan(_form) && string.IsNullOrEmpty(_form.NewPassword) && !_form.ClearPassword;

    protected override Task<SmtpSettingsView> LoadAsync() => Settings.GetAsync();

    protected override long VersionOf(SmtpSettingsView view) => view.Version;

    protected override void ResetForm(SmtpSettingsView view) => _form = SmtpSettingsForm.From(view);

    protected override IReadOnlyDictionary<string, string[]> Validate(SmtpSettingsView view) =>
        SmtpSettingsValidator.Validate(_form, view.Password);

    protected override Task<SettingsSaveResult> SaveAsync(AuditActor actor, long version) =>
        Settings.SaveAsync(actor, _form, version);

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
    }

    /// <summary>The field's message: from validation or the last save, else from the last test mail.</summary>
    private string? FieldError(string field) => ErrorFor(field) ?? TestMailError(field);

    private bool HasFieldError(string field) => FieldError(field) is not null;

    /// <summary>
    /// MudNumericField validates itself on blur and then overwrites the Error and ErrorText it was
    /// given (it always has a validation of its own), so the page's message would vanish; as its
    /// validation it answers with the same message the page shows.
    /// </summary>
    private Func<int, string?> NumberRule(string field) => _ => FieldError(field);

    private string? TestMailError(string field) =>
        _testMailErrors.TryGetValue(field, out var messages) ? string.Join(" ", messages) : null;

    /// <summary>A field was edited: its validation follows the new value, and the last test mail's message for it no longer applies.</summary>
    private void Changed(string field)
    {
        _testMailErrors.Remove(field);
        if (field != Recipient)
        {
            Touched(field);
        }
    }

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
        _testMailErrors.Clear();
        try
        {
            _testMail = await Settings.SendTestMailAsync(await CurrentActor.GetAsync(), _form, _recipient, _disposed.Token);
            foreach (var (field, messages) in _testMail.Errors)
            {
                _testMailErrors[field] = messages;
            }
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
}
