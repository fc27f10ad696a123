using Microsoft.AspNetCore.Components;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Settings;

namespace SecretAdmin.Features.Smtp;

public partial class SmtpSettingsPage
{
    private SmtpSettingsForm _form = new();
    private string? _recipient;
    private TestMailResult? _testMail;
    private bool _sending;

    [Inject]
    private SmtpSettingsService Settings { get; set; } = default!;

    protected override string What => "SMTP settings";

    /// <summary>The form points at another server than the saved one, which has a password that would not be used.</summary>
    private bool UsesOtherServer =>
        View is { Password: not SecretStatus.NotSet } view && !view.SameServerAs(_form) && string.IsNullOrEmpty(_form.NewPassword);

    protected override Task<SmtpSettingsView> LoadAsync() => Settings.GetAsync();

    protected override long VersionOf(SmtpSettingsView view) => view.Version;

    protected override void ResetForm(SmtpSettingsView view) => _form = SmtpSettingsForm.From(view);

    protected override IReadOnlyDictionary<string, string[]> Validate(SmtpSettingsView view) =>
        SmtpSettingsValidator.Validate(_form, view.Password);

    protected override Task<SettingsSaveResult> SaveAsync(AuditActor actor, long version) =>
        Settings.SaveAsync(actor, _form, version);

    private string? TestMailError(string field) =>
        _testMail?.Errors.TryGetValue(field, out var messages) == true ? string.Join(" ", messages) : null;

    private async Task SendTestMailAsync()
    {
        _sending = true;
        _testMail = null;
        try
        {
            _testMail = await Settings.SendTestMailAsync(await CurrentActor.GetAsync(), _form, _recipient);
        }
        finally
        {
            _sending = false;
        }
    }
}
