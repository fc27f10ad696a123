using SecretAdmin.Features.Settings;
using SecretAdmin.Security;

namespace SecretAdmin.Features.Smtp;

/// <summary>The rules of the SMTP settings; the page and the command line show the same messages.</summary>
public static class SmtpSettingsValidator
{
    /// <summary>Every rule of a save: <see cref="ValidateFields"/>, and a stored password is kept only for the server it was saved for.</summary>
    public static IReadOnlyDictionary<string, string[]> Validate(SmtpSettingsForm form, SecretStatus storedPassword)
    {
        var errors = Check(form, storedPassword);
        if (Enum.IsDefined(form.Security))
        {
            SecretChanges.KeepOnlyForItsDestination(errors, nameof(form.NewPassword), form.PasswordChange, storedPassword, SmtpServer.Of(form).Destination, SmtpSettingsService.ServerChangedMessage);
        }

        return errors.ToDictionary();
    }

    /// <summary>The rules of each field, for a save or a test mail with the form's values.</summary>
    public static IReadOnlyDictionary<string, string[]> ValidateFields(SmtpSettingsForm form, SecretStatus storedPassword) =>
        Check(form, storedPassword).ToDictionary();

    private static ValidationErrors Check(SmtpSettingsForm form, SecretStatus storedPassword)
    {
        var errors = new ValidationErrors();

        // The one text rule first; a field that breaks it gets no other message, and MimeKit never sees it.
        TextInput.Check(errors, form);
        SettingsValidation.Required(errors, nameof(form.Host), form.Host, "Enter the SMTP server's host name, for example smtp.example.com.");
        if (!errors.Has(nameof(form.Host)) && !SettingsValidation.IsHost(form.Host!.Trim()))
        {
            errors.Add(nameof(form.Host), "Enter a host name or IP address only, without https:// or a port.");
        }

        SettingsValidation.Range(errors, nameof(form.Port), form.Port, 1, 65535, "The port");
        if (!Enum.IsDefined(form.Security))
        {
            errors.Add(nameof(form.Security), "Choose none, StartTLS or TLS on connect.");
        }

        SettingsValidation.Secret(errors, nameof(form.NewPassword), form.NewPassword, form.ClearPassword);
        var passwordAfterSave = form.PasswordChange.Kind switch
        {
            SecretChangeKind.Replace => true,
            SecretChangeKind.Clear => false,
            _ => storedPassword is not SecretStatus.NotSet,
        };
        if (passwordAfterSave && string.IsNullOrWhiteSpace(form.Username) && !errors.Has(nameof(form.Username)))
        {
            errors.Add(nameof(form.Username), "Enter the username that goes with the password, or clear the password.");
        }

        if (!errors.Has(nameof(form.FromAddress)) && !SettingsValidation.IsEmail(form.FromAddress?.Trim()))
        {
            errors.Add(nameof(form.FromAddress), "Enter the address mail is sent from, for example no-reply@example.com.");
        }

        SettingsValidation.Range(errors, nameof(form.TimeoutSeconds), form.TimeoutSeconds, 1, 300, "The timeout (seconds)");
        return errors;
    }
}
