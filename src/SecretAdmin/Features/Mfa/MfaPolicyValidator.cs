using SecretAdmin.Features.Settings;

namespace SecretAdmin.Features.Mfa;

/// <summary>The rules of the MFA policy; the page and the command line show the same messages.</summary>
public static class MfaPolicyValidator
{
    public static IReadOnlyDictionary<string, string[]> Validate(MfaPolicyForm form)
    {
        var errors = new ValidationErrors();

        // The one text rule first; a field that breaks it gets no other message.
        TextInput.Check(errors, form);
        SettingsValidation.Required(errors, nameof(form.Issuer), form.Issuer, "Enter the issuer name authenticator apps show, for example your company's name.");
        if (!errors.Has(nameof(form.Issuer)) && form.Issuer.Contains(':', StringComparison.Ordinal))
        {
            errors.Add(nameof(form.Issuer), "Issuer must not contain a colon (authenticator apps use it as a separator).");
        }

        if (form.Digits is not (6 or 8))
        {
            errors.Add(nameof(form.Digits), "Codes have 6 or 8 digits.");
        }

        SettingsValidation.Range(errors, nameof(form.PeriodSeconds), form.PeriodSeconds, 15, 120, "The period (seconds)");
        if (!Enum.IsDefined(form.Algorithm))
        {
            errors.Add(nameof(form.Algorithm), "Choose SHA1, SHA256 or SHA512.");
        }

        SettingsValidation.Range(errors, nameof(form.WindowSteps), form.WindowSteps, 0, 2, "The verification window (steps)");
        SettingsValidation.Range(errors, nameof(form.MaxFailedAttempts), form.MaxFailedAttempts, 1, 100, "Failed attempts before lockout");
        SettingsValidation.Range(errors, nameof(form.LockoutMinutes), form.LockoutMinutes, 1, 1440, "The lockout (minutes)");
        return errors.ToDictionary();
    }
}
