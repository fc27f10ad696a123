using MimeKit;
using SecretAdmin.Data;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Settings;
using SecretAdmin.Security;

namespace SecretAdmin.Features.Smtp;

/// <summary>
/// Reads and saves the SMTP settings and sends test mail. The password is sealed here before EF
/// Core sees it, bound to the server and account it authenticates to, and opened only to
/// authenticate to that server.
/// </summary>
public sealed class SmtpSettingsService(SettingsStore store, SecretSealer sealer, AuditLog auditLog) : IDestinationBoundSecret
{
    public const string ServerChangedMessage = "The server changed: type the password again, or clear it.";

    public Task<SmtpSettingsView> GetAsync(CancellationToken cancellationToken = default) =>
        store.ReadAsync<SmtpSettings, SmtpSettingsView>((db, row) => View(row, PasswordStatus(db, row)), cancellationToken);

    public async Task<SettingsSaveResult> SaveAsync(AuditActor actor, SmtpSettingsForm form, long expectedVersion, CancellationToken cancellationToken = default)
    {
        await using var edit = await store.EditAsync<SmtpSettings>(expectedVersion, cancellationToken);
        if (edit.IsStale)
        {
            return SettingsSaveResult.Conflict();
        }

        var row = edit.Row;
        var errors = SmtpSettingsValidator.Validate(form, PasswordStatus(edit.Db, row));
        if (errors.Count > 0)
        {
            return SettingsSaveResult.Invalid(errors);
        }

        if (SecretChanges.CannotSealNow(nameof(form.NewPassword), form.PasswordChange, sealer) is { } unsealable)
        {
            return SettingsSaveResult.Invalid(unsealable);
        }

        var changes = new FieldChanges();
        changes.Set(nameof(row.Host), row.Host, FieldChanges.Clean(form.Host), v => row.Host = v);
        changes.Set(nameof(row.Port), row.Port, form.Port, v => row.Port = v);
        changes.Set(nameof(row.Security), row.Security, form.Security, v => row.Security = v);
        changes.Set(nameof(row.Username), row.Username, FieldChanges.Clean(form.Username), v => row.Username = v);
        changes.Set(nameof(row.FromAddress), row.FromAddress, FieldChanges.Clean(form.FromAddress), v => row.FromAddress = v);
        changes.Set(nameof(row.FromName), row.FromName, FieldChanges.Clean(form.FromName), v => row.FromName = v);
        changes.Set(nameof(row.TimeoutSeconds), row.TimeoutSeconds, form.TimeoutSeconds, v => row.TimeoutSeconds = v);
        changes.ApplySecret(nameof(row.Password), row.Password, form.PasswordChange, sealer, PasswordPlace(edit.Db, row), edit.NowUtc, actor.Name);
        return await edit.SaveAsync(actor, changes, SettingsArea.Smtp, AuditActions.SmtpSettingsChanged, "SMTP settings", cancellationToken);
    }

    /// <summary>
    /// Sends a test mail to <paramref name="recipient"/> with the form's settings (saved or not).
    /// The stored password is opened for the form's server and account: it opens only when they
    /// are the ones it was saved for, so it is never sent anywhere else; otherwise it must be typed.
    /// </summary>
    public async Task<TestMailResult> SendTestMailAsync(AuditActor actor, SmtpSettingsForm form, string? recipient, CancellationToken cancellationToken = default)
    {
        var server = SmtpServer.Of(form);
        var (saved, storedPassword) = await store.ReadAsync<SmtpSettings, (SmtpSettingsView, SecretRead)>(
            (db, row) => (View(row, PasswordStatus(db, row)), sealer.Open(row.Password, PasswordPlace(db, row).BoundTo(server.Destination))),
            cancellationToken);
        var errors = new ValidationErrors();
        foreach (var (field, messages) in SmtpSettingsValidator.ValidateFields(form, saved.Password))
        {
            foreach (var message in messages)
            {
                errors.Add(field, message);
            }
        }

        if (TextInput.Check(errors, "Recipient", "The recipient", recipient, 320) && !SettingsValidation.IsEmail(recipient?.Trim()))
        {
            errors.Add("Recipient", "Enter the address to send the test mail to.");
        }

        string? password = null;
        if (form.PasswordChange.Kind == SecretChangeKind.Replace)
        {
            password = form.NewPassword;
        }
        else if (form.PasswordChange.Kind == SecretChangeKind.Keep)
        {
            password = storedPassword.Match<string?>(
                () => null,
                present => present.Value,
                unreadable =>
                {
                    errors.Add(nameof(form.NewPassword), unreadable.Reason == UnreadableReason.DestinationChanged
                        ? "The server or username differs from the saved settings, so the stored password is not sent there. Type the password to use for this test."
                        : $"The stored password cannot be opened ({unreadable.Description}). Type it to send the test.");
                    return null;
                });
        }

        if (!errors.IsEmpty)
        {
            return TestMailResult.Invalid(errors.ToDictionary());
        }

        var result = await SmtpMailer.SendAsync(server, password, TestMessage(form, recipient!.Trim(), actor), cancellationToken);
        await auditLog.WriteAsync(actor, result.Succeeded ? AuditActions.SmtpTestMailSent : AuditActions.SmtpTestMailFailed, recipient.Trim(), cancellationToken: cancellationToken);
        return result;
    }

    public Task BindToDestinationAsync(CancellationToken cancellationToken) =>
        store.BindToDestinationAsync<SmtpSettings>(nameof(SmtpSettings.Password), "SMTP password", row => row.Password, row => SmtpServer.Of(row).Destination, cancellationToken);

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
        sealer.Status(row.Password, PasswordPlace(db, row));

    /// <summary>The password's place, bound to the server and account stored in <paramref name="row"/>.</summary>
    private static SealedPlace PasswordPlace(SecretAdminDbContext db, SmtpSettings row) =>
        SealedColumn.For<SmtpSettings>(db.Model, nameof(SmtpSettings.Password)).At(SmtpSettings.SingletonId, SmtpServer.Of(row).Destination);
}
