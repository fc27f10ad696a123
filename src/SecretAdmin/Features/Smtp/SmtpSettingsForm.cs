using SecretAdmin.Features.Settings;

namespace SecretAdmin.Features.Smtp;

/// <summary>The SMTP settings as a page or the command line edits them. <see cref="NewPassword"/> null keeps the stored password.</summary>
public sealed class SmtpSettingsForm : ITextInputForm
{
    public string? Host { get; set; }

    public int Port { get; set; } = 587;

    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;

    public string? Username { get; set; }

    public string? NewPassword { get; set; }

    public bool ClearPassword { get; set; }

    public string? FromAddress { get; set; }

    public string? FromName { get; set; }

    public int TimeoutSeconds { get; set; } = 30;

    public SecretChange PasswordChange => SecretChange.From(NewPassword, ClearPassword);

    /// <summary>The text inputs, labelled as the page labels them; each bound is its column's length.</summary>
    public IEnumerable<TextInputField> TextInputs() =>
    [
        new(nameof(Host), "Host", Host, 253),
        new(nameof(Username), "Username", Username, 320),
        new(nameof(FromAddress), "From address", FromAddress, 320),
        new(nameof(FromName), "From name", FromName, 200),
    ];

    public static SmtpSettingsForm From(SmtpSettingsView view) => new()
    {
        Host = view.Host,
        Port = view.Port,
        Security = view.Security,
        Username = view.Username,
        FromAddress = view.FromAddress,
        FromName = view.FromName,
        TimeoutSeconds = view.TimeoutSeconds,
    };
}
