using System.Globalization;
using System.Text;
using System.Text.Json;
using SecretAdmin.Features.Mfa;
using SecretAdmin.Features.Oidc;
using SecretAdmin.Features.Smtp;
using SecretAdmin.Security;

namespace SecretAdmin.Features.Settings;

/// <summary>
/// The settings as <c>settings show</c> prints them: values, and for each secret its status only.
/// The text shows each value on its own line with control and invisible formatting characters as
/// escapes (<c>\r</c>, <c>\u001B</c>, <c>\u202E</c>), whatever an older version stored; the JSON
/// escapes them as JSON does (the default encoder writes every non-ASCII character as <c>\uXXXX</c>).
/// </summary>
internal static class SettingsReport
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static string Json(OidcSettingsView oidc, SmtpSettingsView smtp, MfaPolicyView mfa) => JsonSerializer.Serialize(
        new
        {
            oidc = new
            {
                oidc.Enabled, oidc.ButtonLabel, oidc.Authority, oidc.ClientId, ClientSecret = Secret(oidc.ClientSecret), oidc.Scopes, oidc.CallbackPath,
                oidc.RoleClaimType, oidc.AdminRoleValue, oidc.CreateUnknownUsers, oidc.LinkByVerifiedEmail, oidc.AllowedEmailDomains,
                oidc.EmailClaimFallback, ClientAuthentication = oidc.ClientAuthentication.ToString(), oidc.HostedDomainClaim, oidc.HostedDomains,
                oidc.UpdatedAtUtc, oidc.UpdatedBy, oidc.Version,
            },
            smtp = new
            {
                smtp.Host, smtp.Port, Security = smtp.Security.ToString(), smtp.Username, Password = Secret(smtp.Password), smtp.FromAddress, smtp.FromName,
                smtp.TimeoutSeconds, smtp.UpdatedAtUtc, smtp.UpdatedBy, smtp.Version,
            },
            mfa = new
            {
                mfa.Issuer, mfa.Digits, mfa.PeriodSeconds, Algorithm = mfa.Algorithm.ToString(), mfa.WindowSteps, mfa.RequireForAdmins, mfa.RequireForAllUsers,
                mfa.RequireTotpAfterSso, mfa.RequirePasskeyForAdmins, mfa.RequirePasskeyForAllUsers, mfa.RefuseSyncedPasskeysForAdmins, mfa.MaxFailedAttempts, mfa.LockoutMinutes, mfa.UpdatedAtUtc, mfa.UpdatedBy, mfa.Version,
            },
        },
        JsonOptions);

    public static string Text(OidcSettingsView oidc, SmtpSettingsView smtp, MfaPolicyView mfa)
    {
        var text = new StringBuilder();
        text.AppendLine("OIDC");
        Line(text, "enabled", oidc.Enabled);
        Line(text, "button label", oidc.ButtonLabel);
        Line(text, "authority", oidc.Authority);
        Line(text, "client id", oidc.ClientId);
        Line(text, "client secret", Describe(oidc.ClientSecret));
        Line(text, "scopes", oidc.Scopes);
        Line(text, "callback path", oidc.CallbackPath);
        Line(text, "role claim type", oidc.RoleClaimType);
        Line(text, "admin role value", oidc.AdminRoleValue);
        Line(text, "create unknown users", oidc.CreateUnknownUsers);
        Line(text, "link by verified email", oidc.LinkByVerifiedEmail);
        Line(text, "allowed email domains", oidc.AllowedEmailDomains);
        Line(text, "email claim fallback", oidc.EmailClaimFallback);
        Line(text, "client authentication", oidc.ClientAuthentication);
        Line(text, "hosted-domain claim", oidc.HostedDomainClaim);
        Line(text, "hosted domains", oidc.HostedDomains);
        text.AppendLine("SMTP");
        Line(text, "host", smtp.Host);
        Line(text, "port", smtp.Port);
        Line(text, "security", smtp.Security);
        Line(text, "username", smtp.Username);
        Line(text, "password", Describe(smtp.Password));
        Line(text, "from", smtp.FromAddress);
        Line(text, "from name", smtp.FromName);
        Line(text, "timeout (s)", smtp.TimeoutSeconds);
        text.AppendLine("MFA policy");
        Line(text, "issuer", mfa.Issuer);
        Line(text, "digits", mfa.Digits);
        Line(text, "period (s)", mfa.PeriodSeconds);
        Line(text, "algorithm", mfa.Algorithm);
        Line(text, "window (steps)", mfa.WindowSteps);
        Line(text, "required for admins", mfa.RequireForAdmins);
        Line(text, "required for all users", mfa.RequireForAllUsers);
        Line(text, "code required after SSO", mfa.RequireTotpAfterSso);
        Line(text, "passkey required for admins", mfa.RequirePasskeyForAdmins);
        Line(text, "passkey required for all users", mfa.RequirePasskeyForAllUsers);
        Line(text, "admins may not sync passkeys", mfa.RefuseSyncedPasskeysForAdmins);
        Line(text, "failed attempts before lockout", mfa.MaxFailedAttempts);
        Line(text, "lockout (minutes)", mfa.LockoutMinutes);
        return text.ToString().TrimEnd();
    }

    private static object Secret(SecretStatus status) => status switch
    {
        SecretStatus.Set set => new { state = "set", updatedAtUtc = set.UpdatedAtUtc, updatedBy = set.UpdatedBy },
        SecretStatus.Unreadable unreadable => new { state = "unreadable", reason = unreadable.Reason.ToString(), description = unreadable.Description },
        _ => (object)new { state = "not set" },
    };

    private static string Describe(SecretStatus status) => status switch
    {
        SecretStatus.Set set => $"set on {set.UpdatedAtUtc?.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) ?? "an unknown date"} by {set.UpdatedBy ?? "unknown"}",
        SecretStatus.Unreadable unreadable => $"CANNOT BE OPENED: {unreadable.Description}; enter it again",
        _ => "not set",
    };

    private static void Line(StringBuilder text, string name, object? value) =>
        text.AppendLine(CultureInfo.InvariantCulture, $"  {name,-32}{(value?.ToString() is { } shown ? TextInput.Escape(shown) : "-")}");
}
