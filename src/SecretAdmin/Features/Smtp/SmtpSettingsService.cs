using MimeKit;
using SecretAdmin.Data;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Settings;
using SecretAdmin.Features.Smtp.OAuth;
using SecretAdmin.Security;

namespace SecretAdmin.Features.Smtp;

/// <summary>
/// Reads and saves the SMTP settings and sends mail with them. The password, the OAuth client
/// secret and the private key are sealed here before EF Core sees them, each bound to where it
/// authenticates (the server and account; the token endpoint and client id), and opened only to
/// authenticate there.
/// </summary>
public sealed class SmtpSettingsService(SettingsStore store, SecretSealer sealer, AuditLog auditLog, OAuthTokenClient tokens, TimeProvider timeProvider) : IDestinationBoundSecret
{
    public const string ServerChangedMessage = "The server changed: type the password again, or clear it.";

    public Task<SmtpSettingsView> GetAsync(CancellationToken cancellationToken = default) =>
        store.ReadAsync<SmtpSettings, SmtpSettingsView>(View, cancellationToken);

    /// <summary>Whether a server is saved: a cheap read for pages that only offer mail (no secret is looked at).</summary>
    public Task<bool> HasServerAsync(CancellationToken cancellationToken = default) =>
        store.ReadAsync<SmtpSettings, bool>((_, row) => row.Host is not null, cancellationToken);

    public async Task<SettingsSaveResult> SaveAsync(AuditActor actor, SmtpSettingsForm form, long expectedVersion, CancellationToken cancellationToken = default)
    {
        await using var edit = await store.EditAsync<SmtpSettings>(expectedVersion, cancellationToken);
        if (edit.IsStale)
        {
            return SettingsSaveResult.Conflict();
        }

        var row = edit.Row;
        var errors = SmtpSettingsValidator.Validate(form, View(edit.Db, row));
        if (errors.Count > 0)
        {
            return SettingsSaveResult.Invalid(errors);
        }

        var keyChange = form.OAuthPrivateKeyChange;
        string? certificate = null;
        if (form.GenerateOAuthPrivateKey)
        {
            (var generated, certificate) = OAuthSigningKey.Generate(timeProvider.GetUtcNow());
            keyChange = SecretChange.Replace(generated);
        }
        else if (keyChange.Kind == SecretChangeKind.Replace)
        {
            var (imported, importedCertificate, problem) = OAuthSigningKey.Import(keyChange.NewValue!, timeProvider.GetUtcNow());
            if (problem is not null)
            {
                return SettingsSaveResult.Invalid(new Dictionary<string, string[]> { [nameof(form.NewOAuthPrivateKey)] = [problem] });
            }

            (keyChange, certificate) = (SecretChange.Replace(imported!), importedCertificate);
        }

        foreach (var (field, change) in new[] { (nameof(form.NewPassword), form.PasswordChange), (nameof(form.NewOAuthClientSecret), form.OAuthClientSecretChange), (nameof(form.NewOAuthPrivateKey), keyChange) })
        {
            if (SecretChanges.CannotSealNow(field, change, sealer) is { } unsealable)
            {
                return SettingsSaveResult.Invalid(unsealable);
            }
        }

        var changes = new FieldChanges();
        changes.Set(nameof(row.Host), row.Host, FieldChanges.Clean(form.Host), v => row.Host = v);
        changes.Set(nameof(row.Port), row.Port, form.Port, v => row.Port = v);
        changes.Set(nameof(row.Security), row.Security, form.Security, v => row.Security = v);
        changes.Set(nameof(row.Authentication), row.Authentication, form.Authentication, v => row.Authentication = v);
        changes.Set(nameof(row.Username), row.Username, FieldChanges.Clean(form.Username), v => row.Username = v);
        changes.Set(nameof(row.OAuthGrant), row.OAuthGrant, form.OAuthGrant, v => row.OAuthGrant = v);
        changes.Set(nameof(row.OAuthTokenEndpoint), row.OAuthTokenEndpoint, FieldChanges.Clean(form.OAuthTokenEndpoint), v => row.OAuthTokenEndpoint = v);
        changes.Set(nameof(row.OAuthClientId), row.OAuthClientId, FieldChanges.Clean(form.OAuthClientId), v => row.OAuthClientId = v);
        changes.Set(nameof(row.OAuthScope), row.OAuthScope, FieldChanges.Clean(form.OAuthScope), v => row.OAuthScope = v);
        changes.Set(nameof(row.OAuthClientAuthentication), row.OAuthClientAuthentication, form.OAuthClientAuthentication, v => row.OAuthClientAuthentication = v);
        changes.Set(nameof(row.FromAddress), row.FromAddress, FieldChanges.Clean(form.FromAddress), v => row.FromAddress = v);
        changes.Set(nameof(row.FromName), row.FromName, FieldChanges.Clean(form.FromName), v => row.FromName = v);
        changes.Set(nameof(row.TimeoutSeconds), row.TimeoutSeconds, form.TimeoutSeconds, v => row.TimeoutSeconds = v);
        changes.ApplySecret(nameof(row.Password), row.Password, form.PasswordChange, sealer, Place(edit.Db, row, nameof(row.Password)), edit.NowUtc, actor.Name);
        changes.ApplySecret(nameof(row.OAuthClientSecret), row.OAuthClientSecret, form.OAuthClientSecretChange, sealer, Place(edit.Db, row, nameof(row.OAuthClientSecret)), edit.NowUtc, actor.Name);
        changes.ApplySecret(nameof(row.OAuthPrivateKey), row.OAuthPrivateKey, keyChange, sealer, Place(edit.Db, row, nameof(row.OAuthPrivateKey)), edit.NowUtc, actor.Name);
        if (keyChange.Kind != SecretChangeKind.Keep)
        {
            row.OAuthCertificate = certificate;
        }

        return await edit.SaveAsync(actor, changes, SettingsArea.Smtp, AuditActions.SmtpSettingsChanged, "SMTP settings", cancellationToken);
    }

    /// <summary>
    /// Sends a test mail to <paramref name="recipient"/> with the form's settings (saved or not).
    /// A stored secret is opened for the form's destination: it opens only when that is the one it
    /// was saved for, so it is never sent anywhere else; otherwise it must be typed.
    /// </summary>
    public async Task<TestMailResult> SendTestMailAsync(AuditActor actor, SmtpSettingsForm form, string? recipient, CancellationToken cancellationToken = default)
    {
        var (saved, credential, errors) = await store.ReadAsync<SmtpSettings, (SmtpSettingsView, SmtpCredential?, ValidationErrors)>(
            (db, row) =>
            {
                var view = View(db, row);
                var errors = ValidationErrors.From(SmtpSettingsValidator.ValidateFields(form, view));
                return (view, errors.IsEmpty ? Credential(db, row, form, errors) : null, errors);
            },
            cancellationToken);

        if (TextInput.Check(errors, "Recipient", "The recipient", recipient, 320) && !SettingsValidation.IsEmail(recipient?.Trim()))
        {
            errors.Add("Recipient", "Enter the address to send the test mail to.");
        }

        if (!errors.IsEmpty || credential is null)
        {
            return TestMailResult.Invalid(errors.ToDictionary());
        }

        var delivery = await SmtpMailer.SendAsync(SmtpServer.Of(form), credential, TestMessage(form, recipient!.Trim(), actor), cancellationToken);
        await auditLog.WriteAsync(actor, delivery.Delivered ? AuditActions.SmtpTestMailSent : AuditActions.SmtpTestMailFailed, recipient.Trim(), cancellationToken: cancellationToken);
        return TestMailResult.From(delivery);
    }

    /// <summary>
    /// Sends a message with the saved settings, each secret opened for where it was saved. Settings
    /// that are missing or whose secret does not open are a failed delivery that says so, to be tried again.
    /// </summary>
    public async Task<MailDelivery> SendAsync(string recipient, string subject, string body, CancellationToken cancellationToken = default)
    {
        var (form, credential, problem) = await store.ReadAsync<SmtpSettings, (SmtpSettingsForm, SmtpCredential?, string?)>(
            (db, row) =>
            {
                var view = View(db, row);
                var form = SmtpSettingsForm.From(view);
                var errors = ValidationErrors.From(SmtpSettingsValidator.ValidateFields(form, view));

                var credential = errors.IsEmpty ? Credential(db, row, form, errors) : null;
                var problem = row.Host is null
                    ? "Mail is not set up: an administrator has not saved the SMTP settings."
                    : errors.IsEmpty ? null : $"The saved SMTP settings cannot be used: {string.Join(" ", errors.ToDictionary().SelectMany(e => e.Value))}";
                return (form, credential, problem);
            },
            cancellationToken);
        if (problem is not null || credential is null)
        {
            return new MailDelivery(false, null, problem ?? "The saved SMTP settings cannot be used.", "Check the SMTP settings page.", false);
        }

        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(FieldChanges.Clean(form.FromName) ?? "SecretAdmin", form.FromAddress!.Trim()));
        message.To.Add(MailboxAddress.Parse(recipient));
        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = body };
        return await SmtpMailer.SendAsync(SmtpServer.Of(form), credential, message, cancellationToken);
    }

    public Task BindToDestinationAsync(CancellationToken cancellationToken) =>
        store.BindToDestinationAsync<SmtpSettings>(nameof(SmtpSettings.Password), "SMTP password", row => row.Password, row => SmtpServer.Of(row).Destination, cancellationToken);

    /// <summary>
    /// How to sign in with <paramref name="form"/>'s settings: a typed secret, or the stored one
    /// opened for the form's destination. Null, with the reason on the secret's field, when there is none to use.
    /// </summary>
    private SmtpCredential? Credential(SecretAdminDbContext db, SmtpSettings row, SmtpSettingsForm form, ValidationErrors errors)
    {
        var username = FieldChanges.Clean(form.Username) ?? string.Empty;
        switch (form.Authentication)
        {
            case SmtpAuthentication.Password:
                var password = Typed(form.PasswordChange) ?? Stored(
                    errors, nameof(form.NewPassword), sealer.Open(row.Password, Place(db, row, nameof(row.Password)).BoundTo(SmtpServer.Of(form).Destination)),
                    "The server or username differs from the saved settings, so the stored password is not sent there. Type the password to use for this test.",
                    "password");
                return password is null ? null : new SmtpCredential.PasswordCredential(username, password);
            case SmtpAuthentication.OAuth:
                var client = OAuthClient.Of(form);
                var credential = client.UsesPrivateKey ? PrivateKey(db, row, form, client, errors) : ClientSecret(db, row, form, client, errors);
                return credential is null ? null : new SmtpCredential.OAuthCredential(username, (fresh, ct) => tokens.GetAsync(client, credential, username, fresh, ct));
            default:
                return SmtpCredential.None;
        }
    }

    private OAuthClientCredential? ClientSecret(SecretAdminDbContext db, SmtpSettings row, SmtpSettingsForm form, OAuthClient client, ValidationErrors errors) =>
        (Typed(form.OAuthClientSecretChange) ?? Stored(
            errors, nameof(form.NewOAuthClientSecret), sealer.Open(row.OAuthClientSecret, Place(db, row, nameof(row.OAuthClientSecret)).BoundTo(client.Destination)),
            "The token endpoint or client id differs from the saved settings, so the stored client secret is not sent there. Type the client secret to use for this test.",
            "client secret")) is { } secret
            ? OAuthClientCredential.ClientSecret(secret)
            : null;

    private OAuthClientCredential? PrivateKey(SecretAdminDbContext db, SmtpSettings row, SmtpSettingsForm form, OAuthClient client, ValidationErrors errors)
    {
        if (form.GenerateOAuthPrivateKey)
        {
            errors.Add(nameof(form.NewOAuthPrivateKey), "Save to generate the key, register its certificate or public key with the provider, then send a test mail.");
            return null;
        }

        if (Typed(form.OAuthPrivateKeyChange) is { } typed)
        {
            var (pem, certificate, problem) = OAuthSigningKey.Import(typed, timeProvider.GetUtcNow());
            if (problem is not null)
            {
                errors.Add(nameof(form.NewOAuthPrivateKey), problem);
                return null;
            }

            return OAuthClientCredential.PrivateKey(pem!, certificate!);
        }

        var stored = Stored(
            errors, nameof(form.NewOAuthPrivateKey), sealer.Open(row.OAuthPrivateKey, Place(db, row, nameof(row.OAuthPrivateKey)).BoundTo(client.Destination)),
            "The token endpoint or client id differs from the saved settings, so the stored private key does not sign for it. Paste the key to use for this test, or save first.",
            "private key");
        return stored is null || row.OAuthCertificate is null ? null : OAuthClientCredential.PrivateKey(stored, row.OAuthCertificate);
    }

    private static string? Typed(SecretChange change) => change.Kind == SecretChangeKind.Replace ? change.NewValue : null;

    /// <summary>The stored secret's plaintext, or null with why on <paramref name="field"/> (nothing stored, or it does not open).</summary>
    private static string? Stored(ValidationErrors errors, string field, SecretRead read, string destinationChanged, string what) =>
        read.Match<string?>(
            () =>
            {
                errors.Add(field, $"No {what} is stored; type one to send the test.");
                return null;
            },
            present => present.Value,
            unreadable =>
            {
                errors.Add(field, unreadable.Reason == UnreadableReason.DestinationChanged
                    ? destinationChanged
                    : $"The stored {what} cannot be opened ({unreadable.Description}). Type it to send the test.");
                return null;
            });

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

    private SmtpSettingsView View(SecretAdminDbContext db, SmtpSettings row) => new(
        row.Host,
        row.Port,
        row.Security,
        row.Authentication,
        row.Username,
        sealer.Status(row.Password, Place(db, row, nameof(row.Password))),
        row.OAuthGrant,
        row.OAuthTokenEndpoint,
        row.OAuthClientId,
        row.OAuthScope,
        row.OAuthClientAuthentication,
        sealer.Status(row.OAuthClientSecret, Place(db, row, nameof(row.OAuthClientSecret))),
        sealer.Status(row.OAuthPrivateKey, Place(db, row, nameof(row.OAuthPrivateKey))),
        row.OAuthCertificate is null ? null : OAuthSigningKey.PublicPartOf(row.OAuthCertificate),
        row.FromAddress,
        row.FromName,
        row.TimeoutSeconds,
        row.UpdatedAtUtc,
        row.UpdatedBy,
        row.Version);

    /// <summary>A secret's place, bound to where <paramref name="row"/> says it authenticates: the password to the server and account, the OAuth ones to the token endpoint and client id.</summary>
    private static SealedPlace Place(SecretAdminDbContext db, SmtpSettings row, string secret) =>
        SealedColumn.For<SmtpSettings>(db.Model, secret).At(
            SmtpSettings.SingletonId,
            secret == nameof(SmtpSettings.Password) ? SmtpServer.Of(row).Destination : OAuthClient.Of(row).Destination);
}
