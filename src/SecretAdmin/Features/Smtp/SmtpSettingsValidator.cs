using SecretAdmin.Features.Settings;
using SecretAdmin.Features.Smtp.OAuth;
using SecretAdmin.Security;

namespace SecretAdmin.Features.Smtp;

/// <summary>The rules of the SMTP settings; the page and the command line show the same messages.</summary>
public static class SmtpSettingsValidator
{
    public const string OAuthClientChangedMessage = "The token endpoint or client id changed: type the client secret again, or clear it.";
    public const string OAuthKeyClientChangedMessage = "The token endpoint or client id changed: generate or paste the private key again, or clear it.";

    /// <summary>
    /// Every rule of a save: <see cref="ValidateFields"/>, and a stored secret is kept only for the
    /// server, or the token endpoint and client, it was saved for.
    /// </summary>
    public static IReadOnlyDictionary<string, string[]> Validate(SmtpSettingsForm form, SmtpSettingsView stored)
    {
        // Only the secret the sign-in uses: one it does not use stays bound where it was saved, and opens nowhere else.
        var errors = Check(form, stored);
        if (form.Authentication == SmtpAuthentication.Password && Enum.IsDefined(form.Security))
        {
            SecretChanges.KeepOnlyForItsDestination(errors, nameof(form.NewPassword), form.PasswordChange, stored.Password, SmtpServer.Of(form).Destination, SmtpSettingsService.ServerChangedMessage);
        }

        var client = OAuthClient.Of(form);
        if (form.Authentication == SmtpAuthentication.OAuth && !client.UsesPrivateKey)
        {
            SecretChanges.KeepOnlyForItsDestination(errors, nameof(form.NewOAuthClientSecret), form.OAuthClientSecretChange, stored.OAuthClientSecret, client.Destination, OAuthClientChangedMessage);
        }
        else if (form.Authentication == SmtpAuthentication.OAuth && !form.GenerateOAuthPrivateKey)
        {
            SecretChanges.KeepOnlyForItsDestination(errors, nameof(form.NewOAuthPrivateKey), form.OAuthPrivateKeyChange, stored.OAuthPrivateKey, client.Destination, OAuthKeyClientChangedMessage);
        }

        return errors.ToDictionary();
    }

    /// <summary>The rules of each field, for a save or a test mail with the form's values.</summary>
    public static IReadOnlyDictionary<string, string[]> ValidateFields(SmtpSettingsForm form, SmtpSettingsView stored) =>
        Check(form, stored).ToDictionary();

    private static ValidationErrors Check(SmtpSettingsForm form, SmtpSettingsView stored)
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
        SettingsValidation.Secret(errors, nameof(form.NewOAuthClientSecret), form.NewOAuthClientSecret, form.ClearOAuthClientSecret);
        SettingsValidation.Secret(errors, nameof(form.NewOAuthPrivateKey), form.NewOAuthPrivateKey, form.ClearOAuthPrivateKey, SmtpSettingsForm.PrivateKeyMaxLength);
        if (form.GenerateOAuthPrivateKey && (form.ClearOAuthPrivateKey || !string.IsNullOrEmpty(form.NewOAuthPrivateKey)))
        {
            errors.Add(nameof(form.NewOAuthPrivateKey), "Either generate a key, paste one, or clear the stored one.");
        }

        switch (form.Authentication)
        {
            case SmtpAuthentication.None:
                break;
            case SmtpAuthentication.Password:
                SettingsValidation.Required(errors, nameof(form.Username), form.Username, "Enter the username that goes with the password.");
                if (!errors.Has(nameof(form.NewPassword)) && !AfterSave(form.PasswordChange, stored.Password))
                {
                    errors.Add(nameof(form.NewPassword), "Type the password, or choose another sign-in.");
                }

                break;
            case SmtpAuthentication.OAuth:
                CheckOAuth(errors, form, stored);
                break;
            default:
                errors.Add(nameof(form.Authentication), "Choose no sign-in, a password or OAuth 2.0.");
                break;
        }

        if (!errors.Has(nameof(form.FromAddress)) && !SettingsValidation.IsEmail(form.FromAddress?.Trim()))
        {
            errors.Add(nameof(form.FromAddress), "Enter the address mail is sent from, for example no-reply@example.com.");
        }

        SettingsValidation.Range(errors, nameof(form.TimeoutSeconds), form.TimeoutSeconds, 1, 300, "The timeout (seconds)");
        return errors;
    }

    private static void CheckOAuth(ValidationErrors errors, SmtpSettingsForm form, SmtpSettingsView stored)
    {
        SettingsValidation.Required(errors, nameof(form.Username), form.Username, "Enter the mailbox the token sends as, for example alerts@example.com.");
        if (!Enum.IsDefined(form.OAuthGrant))
        {
            errors.Add(nameof(form.OAuthGrant), "Choose client credentials or a service account.");
        }

        SettingsValidation.Required(errors, nameof(form.OAuthTokenEndpoint), form.OAuthTokenEndpoint, "Enter the provider's token endpoint, for example https://login.microsoftonline.com/<tenant-id>/oauth2/v2.0/token.");
        if (!errors.Has(nameof(form.OAuthTokenEndpoint)) && TokenEndpointProblem(form.OAuthTokenEndpoint!.Trim()) is { } problem)
        {
            errors.Add(nameof(form.OAuthTokenEndpoint), problem);
        }

        SettingsValidation.Required(errors, nameof(form.OAuthClientId), form.OAuthClientId, "Enter the client id (application id) the provider gave this app.");
        SettingsValidation.Required(errors, nameof(form.OAuthScope), form.OAuthScope, "Enter the scope to ask for, for example https://outlook.office365.com/.default.");
        if (!Enum.IsDefined(form.OAuthClientAuthentication))
        {
            errors.Add(nameof(form.OAuthClientAuthentication), "Choose a client secret or a private key.");
            return;
        }

        if (OAuthClient.Of(form).UsesPrivateKey)
        {
            if (!errors.Has(nameof(form.NewOAuthPrivateKey)) && !form.GenerateOAuthPrivateKey && !AfterSave(form.OAuthPrivateKeyChange, stored.OAuthPrivateKey))
            {
                errors.Add(nameof(form.NewOAuthPrivateKey), "Generate a private key, or paste one.");
            }
        }
        else if (!errors.Has(nameof(form.NewOAuthClientSecret)) && !AfterSave(form.OAuthClientSecretChange, stored.OAuthClientSecret))
        {
            errors.Add(nameof(form.NewOAuthClientSecret), "Type the client secret, or choose a private key.");
        }
    }

    /// <summary>An absolute https URL (http only on this machine), without a fragment or user name.</summary>
    public static string? TokenEndpointProblem(string endpoint)
    {
        if (endpoint.Contains('<', StringComparison.Ordinal) || endpoint.Contains('>', StringComparison.Ordinal))
        {
            return "Replace the part in angle brackets (such as <tenant-id>) with your own value.";
        }

        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            return "Enter the token endpoint as an absolute URL, for example https://login.example.com/oauth2/token.";
        }

        if (uri.Scheme != Uri.UriSchemeHttps && !SettingsValidation.IsLoopback(uri.Host))
        {
            return "The token endpoint must use https (http is allowed only for localhost and 127.0.0.1).";
        }

        if (!string.IsNullOrEmpty(uri.Fragment) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            return "The token endpoint has no fragment or user name; enter its URL only.";
        }

        return null;
    }

    /// <summary>Whether a secret is stored once the save is done.</summary>
    private static bool AfterSave(SecretChange change, SecretStatus stored) => change.Kind switch
    {
        SecretChangeKind.Replace => true,
        SecretChangeKind.Clear => false,
        _ => stored is not SecretStatus.NotSet,
    };
}
