using Microsoft.EntityFrameworkCore;
using MimeKit;
using SecretAdmin.Data;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Settings;
using SecretAdmin.Security;

namespace SecretAdmin.Features.Smtp;

/// <summary>
/// Reads and saves the SMTP settings and sends test mail. The password is sealed here before EF
/// Core sees it and opened only to authenticate to the saved server.
/// </summary>
public sealed class SmtpSettingsService(
    IDbContextFactory<SecretAdminDbContext> dbContextFactory,
    SecretSealer sealer,
    AuditLog auditLog,
    SettingsChangeNotifier notifier,
    TimeProvider timeProvider)
    : SingleRowSettingsService<SmtpSettings>(dbContextFactory, sealer, auditLog, notifier, timeProvider)
{
    protected override SettingsArea Area => SettingsArea.Smtp;

    protected override string AuditAction => AuditActions.SmtpSettingsChanged;

    protected override string AuditTarget => "SMTP settings";

    public Task<SmtpSettingsView> GetAsync(CancellationToken cancellationToken = default) =>
        ReadAsync((db, row) => View(row, PasswordStatus(db, row)), cancellationToken);

    public Task<SettingsSaveResult> SaveAsync(AuditActor actor, SmtpSettingsForm form, long expectedVersion, CancellationToken cancellationToken = default) =>
        SaveCoreAsync(
            actor,
            expectedVersion,
            (db, row) => SmtpSettingsValidator.Validate(form, PasswordStatus(db, row)),
            (db, row, changes, now) =>
            {
                changes.Set(nameof(row.Host), row.Host, FieldChanges.Clean(form.Host), v => row.Host = v);
                changes.Set(nameof(row.Port), row.Port, form.Port, v => row.Port = v);
                changes.Set(nameof(row.Security), row.Security, form.Security, v => row.Security = v);
                changes.Set(nameof(row.Username), row.Username, FieldChanges.Clean(form.Username), v => row.Username = v);
                changes.Set(nameof(row.FromAddress), row.FromAddress, FieldChanges.Clean(form.FromAddress), v => row.FromAddress = v);
                changes.Set(nameof(row.FromName), row.FromName, FieldChanges.Clean(form.FromName), v => row.FromName = v);
                changes.Set(nameof(row.TimeoutSeconds), row.TimeoutSeconds, form.TimeoutSeconds, v => row.TimeoutSeconds = v);
                ApplySecret(changes, nameof(row.Password), form.PasswordChange, row.Password, PasswordPlace(db), (sealedValue, at, by) =>
                {
                    row.Password = sealedValue;
                    row.PasswordUpdatedAtUtc = at;
                    row.PasswordUpdatedBy = by;
                }, now, actor.Name);
            },
            cancellationToken);

    /// <summary>
    /// Sends a test mail to <paramref name="recipient"/> with the form's settings (saved or not).
    /// The stored password is used only when the form points at the saved server and account, so
    /// nobody can send it to another server; otherwise the password must be typed.
    /// </summary>
    public async Task<TestMailResult> SendTestMailAsync(AuditActor actor, SmtpSettingsForm form, string? recipient, CancellationToken cancellationToken = default)
    {
        var (saved, storedPassword) = await ReadAsync((db, row) => (View(row, PasswordStatus(db, row)), row.Password is null ? SecretRead.Unset : Sealer.Open(row.Password, PasswordPlace(db))), cancellationToken);
        var errors = new ValidationErrors();
        foreach (var (field, messages) in SmtpSettingsValidator.Validate(form, saved.Password))
        {
            foreach (var message in messages)
            {
                errors.Add(field, message);
            }
        }

        if (!SettingsValidation.IsEmail(recipient?.Trim()))
        {
            errors.Add("Recipient", "Enter the address to send the test mail to.");
        }

        string? password = null;
        switch (form.PasswordChange.Kind)
        {
            case SecretChangeKind.Replace:
                password = form.NewPassword;
                break;
            case SecretChangeKind.Keep when saved.Password is not SecretStatus.NotSet && !saved.SameServerAs(form):
                errors.Add(nameof(form.NewPassword), "The server or username differs from the saved settings, so the stored password is not sent there. Type the password to use for this test.");
                break;
            case SecretChangeKind.Keep:
                password = storedPassword.Match<string?>(
                    () => null,
                    present => present.Value,
                    unreadable =>
                    {
                        errors.Add(nameof(form.NewPassword), $"The stored password cannot be opened ({unreadable.Description}). Type it to send the test.");
                        return null;
                    });
                break;
        }

        if (!errors.IsEmpty)
        {
            return TestMailResult.Invalid(errors.ToDictionary());
        }

        var server = new SmtpServer(form.Host!.Trim(), form.Port, form.Security, FieldChanges.Clean(form.Username), form.TimeoutSeconds);
        var result = await SmtpMailer.SendAsync(server, password, TestMessage(form, recipient!.Trim(), actor), cancellationToken);
        await AuditLog.WriteAsync(actor, result.Succeeded ? AuditActions.SmtpTestMailSent : AuditActions.SmtpTestMailFailed, recipient.Trim(), cancellationToken: cancellationToken);
        return result;
    }

    private static MimeMessage TestMessage(SmtpSettingsForm form, string recipient, AuditActor actor)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(FieldChanges.Clean(form.FromName) ?? "SecretAdmin", form.FromAddress!.Trim()));
        message.To.Add(MailboxAddress.Parse(recipient));
        message.Subject = "SecretAdmin test mail";
        message.Body = new TextPart("plain")
        {
            Text = $"This test mail was sent by {actor.Name} from the SMTP settings of SecretAdmin. If you received it, the settings work.",
        };
        return message;
    }

    private static SmtpSettingsView View(SmtpSettings row, SecretStatus password) => new(
        row.Host, row.Port, row.Security, row.Username, password, row.FromAddress, row.FromName, row.TimeoutSeconds, row.UpdatedAtUtc, row.UpdatedBy, row.Version);

    private SecretStatus PasswordStatus(SecretAdminDbContext db, SmtpSettings row) =>
        SecretStatus.From(Sealer.Open(row.Password, PasswordPlace(db)), row.PasswordUpdatedAtUtc, row.PasswordUpdatedBy);

    private static SealedPlace PasswordPlace(SecretAdminDbContext db) =>
        SealedColumn.For<SmtpSettings>(db.Model, nameof(SmtpSettings.Password)).At(SmtpSettings.SingletonId);
}
