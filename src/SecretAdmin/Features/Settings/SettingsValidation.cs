using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using MimeKit;

namespace SecretAdmin.Features.Settings;

/// <summary>Checks shared by the settings forms, with the messages pages and the command line show.</summary>
public static partial class SettingsValidation
{
    /// <summary>The masked part of a secret's placeholder; text containing it is never saved as a secret.</summary>
    public const string Mask = "••••";

    public static void Secret(ValidationErrors errors, string field, string? typed, bool clear, int maxLength = 1000)
    {
        if (clear && !string.IsNullOrEmpty(typed))
        {
            errors.Add(field, "Either type a new secret or clear the stored one, not both.");
        }
        else if (typed is not null && typed.Contains(Mask, StringComparison.Ordinal))
        {
            errors.Add(field, "That is the placeholder, not a secret. Type the secret itself, or leave the box empty to keep the stored one.");
        }
        else if (typed is not null && typed.Length > maxLength)
        {
            errors.Add(field, $"Use at most {maxLength} characters.");
        }
        else if (typed is not null && typed.Length > 0 && string.IsNullOrWhiteSpace(typed))
        {
            errors.Add(field, "A secret of only spaces is not a secret; leave the box empty to keep the stored one.");
        }
    }

    /// <summary>A message when <paramref name="value"/> is empty, unless the field already has one (a value of only tabs breaks the text rule).</summary>
    public static void Required(ValidationErrors errors, string field, string? value, string message)
    {
        if (string.IsNullOrWhiteSpace(value) && !errors.Has(field))
        {
            errors.Add(field, message);
        }
    }

    public static void Range(ValidationErrors errors, string field, int value, int min, int max, string what)
    {
        if (value < min || value > max)
        {
            errors.Add(field, $"{what} must be between {min} and {max}.");
        }
    }

    /// <summary>
    /// A bare email address: no control or invisible characters, no spaces, and MimeKit reads it as
    /// exactly that address (no display name, group, comment or route), so a header built from it
    /// says what was typed.
    /// </summary>
    public static bool IsEmail(string? value) =>
        !string.IsNullOrWhiteSpace(value) && value.Length <= 320 && !TextInput.HasUnsafe(value) && !value.Any(char.IsWhiteSpace)
        && new EmailAddressAttribute().IsValid(value)
        && MailboxAddress.TryParse(value, out var mailbox) && string.Equals(mailbox.Address, value, StringComparison.Ordinal);

    /// <summary>A DNS host name or an IP address, without scheme, port or path.</summary>
    public static bool IsHost(string? value) =>
        !string.IsNullOrWhiteSpace(value) && value.Length <= 253
        && (Uri.CheckHostName(value) is UriHostNameType.Dns or UriHostNameType.IPv4 or UriHostNameType.IPv6);

    public static bool IsDomain(string value) => DomainName().IsMatch(value);

    public static bool IsLoopback(string host) =>
        host is "localhost" or "127.0.0.1" or "[::1]" or "::1";

    [GeneratedRegex(@"^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,63}$")]
    private static partial Regex DomainName();
}
