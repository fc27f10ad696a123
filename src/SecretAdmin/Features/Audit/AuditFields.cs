namespace SecretAdmin.Features.Audit;

/// <summary>
/// The allowlist of field names an audit entry may name as changed. Only names are recorded,
/// never values; a name outside this list is refused, so nothing slips in by accident.
/// </summary>
public static class AuditFields
{
    private static readonly HashSet<string> Allowed = new(StringComparer.Ordinal)
    {
        "Email", "DisplayName", "Password", "Roles", "Disabled", "Lockout", "MustChangePassword", "SsoLogin", "Invitation",

        // OIDC, SMTP and MFA settings: names of fields, never their values.
        "Enabled", "ButtonLabel", "Authority", "ClientId", "ClientSecret", "Scopes", "CallbackPath", "RoleClaimType",
        "AdminRoleValue", "CreateUnknownUsers", "LinkByVerifiedEmail", "AllowedEmailDomains",
        "EmailClaimFallback", "ClientAuthentication", "HostedDomainClaim", "HostedDomains",
        "Host", "Port", "Security", "Username", "FromAddress", "FromName", "TimeoutSeconds",
        "Authentication", "OAuthGrant", "OAuthTokenEndpoint", "OAuthClientId", "OAuthScope", "OAuthClientAuthentication", "OAuthClientSecret", "OAuthPrivateKey",
        "Issuer", "Digits", "PeriodSeconds", "Algorithm", "WindowSteps", "RequireForAdmins", "RequireForAllUsers", "RequireTotpAfterSso",
        "RequirePasskeyForAdmins", "RequirePasskeyForAllUsers", "RefuseSyncedPasskeysForAdmins",
        "MaxFailedAttempts", "LockoutMinutes",

        // MFA enrollment: that it changed, never the secret, a code or a recovery code.
        "Authenticator", "RecoveryCodes", "Passkey", "Passkeys",
    };

    public static bool IsAllowed(string field) => Allowed.Contains(field);

    /// <exception cref="ArgumentException">A name is not on the allowlist.</exception>
    public static string? Join(IEnumerable<string>? fields)
    {
        if (fields is null)
        {
            return null;
        }

        var list = fields.Distinct(StringComparer.Ordinal).ToArray();
        foreach (var field in list)
        {
            if (!IsAllowed(field))
            {
                throw new ArgumentException($"'{field}' is not an audited field name; add it to {nameof(AuditFields)} if it is not a secret.", nameof(fields));
            }
        }

        return list.Length == 0 ? null : string.Join(",", list);
    }
}
