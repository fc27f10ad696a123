using SecretAdmin.Features.Settings;
using SecretAdmin.Features.Smtp.OAuth;

namespace SecretAdmin.Features.Smtp;

/// <summary>
/// The SMTP settings as a page or the command line edits them. A secret box left null keeps the
/// stored secret; <see cref="GenerateOAuthPrivateKey"/> makes a new private key at the save.
/// </summary>
public sealed class SmtpSettingsForm : ITextInputForm
{
    public const int PrivateKeyMaxLength = 10_000;

    public string? Host { get; set; }

    public int Port { get; set; } = 587;

    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;

    public SmtpAuthentication Authentication { get; set; } = SmtpAuthentication.None;

    public string? Username { get; set; }

    public string? NewPassword { get; set; }

    public bool ClearPassword { get; set; }

    public OAuthGrant OAuthGrant { get; set; } = OAuthGrant.ClientCredentials;

    public string? OAuthTokenEndpoint { get; set; }

    public string? OAuthClientId { get; set; }

    public string? OAuthScope { get; set; }

    public OAuthClientAuthentication OAuthClientAuthentication { get; set; } = OAuthClientAuthentication.ClientSecretPost;

    public string? NewOAuthClientSecret { get; set; }

    public bool ClearOAuthClientSecret { get; set; }

    /// <summary>A private key pasted as PEM, to replace the stored one.</summary>
    public string? NewOAuthPrivateKey { get; set; }

    public bool GenerateOAuthPrivateKey { get; set; }

    public bool ClearOAuthPrivateKey { get; set; }

    public string? FromAddress { get; set; }

    public string? FromName { get; set; }

    public int TimeoutSeconds { get; set; } = 30;

    public SecretChange PasswordChange => SecretChange.From(NewPassword, ClearPassword);

    public SecretChange OAuthClientSecretChange => SecretChange.From(NewOAuthClientSecret, ClearOAuthClientSecret);

    /// <summary>The pasted key, or clear; a generated key is made by the save (<see cref="GenerateOAuthPrivateKey"/>).</summary>
    public SecretChange OAuthPrivateKeyChange => SecretChange.From(NewOAuthPrivateKey, ClearOAuthPrivateKey);

    /// <summary>The text inputs, labelled as the page labels them; each bound is its column's length.</summary>
    public IEnumerable<TextInputField> TextInputs() =>
    [
        new(nameof(Host), "Host", Host, 253),
        new(nameof(Username), "Username", Username, 320),
        new(nameof(OAuthTokenEndpoint), "Token endpoint", OAuthTokenEndpoint, 2000),
        new(nameof(OAuthClientId), "Client id", OAuthClientId, 500),
        new(nameof(OAuthScope), "Scope", OAuthScope, 1000),
        new(nameof(FromAddress), "From address", FromAddress, 320),
        new(nameof(FromName), "From name", FromName, 200),
    ];

    /// <summary>Fills the server and the OAuth client's endpoint and scope from <paramref name="preset"/>, and chooses OAuth.</summary>
    public void Apply(SmtpPreset preset)
    {
        Host = preset.Host;
        Port = preset.Port;
        Security = preset.Security;
        Authentication = SmtpAuthentication.OAuth;
        OAuthGrant = preset.Grant;
        OAuthTokenEndpoint = preset.TokenEndpoint;
        OAuthScope = preset.Scope;
        OAuthClientAuthentication = preset.ClientAuthentication;
    }

    public static SmtpSettingsForm From(SmtpSettingsView view) => new()
    {
        Host = view.Host,
        Port = view.Port,
        Security = view.Security,
        Authentication = view.Authentication,
        Username = view.Username,
        OAuthGrant = view.OAuthGrant,
        OAuthTokenEndpoint = view.OAuthTokenEndpoint,
        OAuthClientId = view.OAuthClientId,
        OAuthScope = view.OAuthScope,
        OAuthClientAuthentication = view.OAuthClientAuthentication,
        FromAddress = view.FromAddress,
        FromName = view.FromName,
        TimeoutSeconds = view.TimeoutSeconds,
    };
}
