using System.Security.Claims;
using SecretAdmin.Features.Oidc;

namespace SecretAdmin.Features.Sso;

public enum SsoTestCheckOutcome
{
    Passed,
    Failed,
    Warning,
    NotConfigured,
    NotReached,
}

/// <summary>One check of a test sign-in: what was checked, how it came out and what was found (names and plain words, never a token).</summary>
public sealed record SsoTestCheck(string Name, SsoTestCheckOutcome Outcome, string Detail);

/// <summary>
/// What a test sign-in found: whether the exchange with the provider worked (and if not, why), the
/// claim names the ID token and the user info endpoint sent, the email and role values the settings
/// read from them, each check, and what a real sign-in would do. Holds no token, code or secret.
/// </summary>
public sealed record SsoTestReport(
    DateTimeOffset At,
    string Authority,
    SsoErrorKind? Failure,
    string Outcome,
    IReadOnlyList<string> IdTokenClaims,
    IReadOnlyList<string> UserInfoClaims,
    IReadOnlyList<string> RoleValues,
    IReadOnlyList<SsoTestCheck> Checks)
{
    /// <summary>The audit reason: what a real sign-in would have done, or why it would fail.</summary>
    public string AuditReason { get; init; } = "";

    /// <summary>The exchange with the provider failed (<paramref name="failure"/>) before any claim arrived.</summary>
    public static SsoTestReport Failed(DateTimeOffset at, string authority, SsoErrorKind failure, string? detail = null)
    {
        var (title, message) = SsoErrors.Describe(failure);
        var tokenFailure = failure is SsoErrorKind.TokenExpired or SsoErrorKind.TokenAudience or SsoErrorKind.TokenSignature or SsoErrorKind.TokenNonce;
        var providerAnswered = failure == SsoErrorKind.IssuerMismatch || tokenFailure;
        SsoTestCheck[] checks =
        [
            providerAnswered
                ? new("Provider", SsoTestCheckOutcome.Passed, "The provider answered.")
                : new("Provider", SsoTestCheckOutcome.Failed, detail ?? message),
            new("Issuer", failure == SsoErrorKind.IssuerMismatch ? SsoTestCheckOutcome.Failed : SsoTestCheckOutcome.NotReached,
                failure == SsoErrorKind.IssuerMismatch ? message : "Not reached."),
            new("ID token", tokenFailure ? SsoTestCheckOutcome.Failed : SsoTestCheckOutcome.NotReached, tokenFailure ? message : "Not reached."),
        ];
        return new SsoTestReport(at, authority, failure, $"{title}. Nobody would be signed in.", [], [], [], checks)
        {
            AuditReason = SsoErrors.Code(failure),
        };
    }

    /// <summary>
    /// The provider's answer went through (issuer and ID token valid); the checks a real sign-in
    /// runs next, as <paramref name="match"/> found them, and the role mapping.
    /// </summary>
    public static SsoTestReport Completed(
        DateTimeOffset at,
        OidcSettingsView settings,
        ClaimsPrincipal external,
        SsoMatch match,
        IReadOnlyList<string> idTokenClaims,
        IReadOnlyList<string> userInfoClaims)
    {
        var checks = new List<SsoTestCheck>
        {
            new("Provider", SsoTestCheckOutcome.Passed, "The provider answered and SecretAdmin's client id and secret were accepted."),
            new("Issuer", SsoTestCheckOutcome.Passed, $"The discovery document and the ID token name the configured authority {settings.Authority}."),
            new("ID token", SsoTestCheckOutcome.Passed, "Signature, audience, validity period and one-time value are valid."),
            HostedDomainCheck(settings, external),
            EmailCheck(match.Identity),
            DomainCheck(settings, match),
        };
        var roles = string.IsNullOrWhiteSpace(settings.RoleClaimType) ? null : RoleClaims.Read(external, settings.RoleClaimType);
        checks.Add(RoleCheck(settings, roles));
        checks.Add(new("Account", match.Refusal is null ? SsoTestCheckOutcome.Passed : SsoTestCheckOutcome.Failed, AccountOutcome(match)));

        var outcome = match.Refusal is { } refusal
            ? $"{SsoErrors.Describe(refusal).Title}. A real sign-in would be refused."
            : $"A real sign-in would work. {AccountOutcome(match)}";
        return new SsoTestReport(at, settings.Authority ?? "", null, outcome, idTokenClaims, userInfoClaims, roles?.Values ?? [], checks)
        {
            AuditReason = match.Refusal is { } kind ? SsoErrors.Code(kind) : match.Account switch
            {
                SsoAccount.Linked => "would-sign-in",
                SsoAccount.LinkByEmail => "would-link",
                _ => "would-create",
            },
        };
    }

    private static SsoTestCheck HostedDomainCheck(OidcSettingsView settings, ClaimsPrincipal external)
    {
        if (string.IsNullOrWhiteSpace(settings.HostedDomainClaim))
        {
            return new("Hosted domain", SsoTestCheckOutcome.NotConfigured, "No hosted-domain claim is required.");
        }

        var value = external.FindFirstValue(settings.HostedDomainClaim);
        var allowed = OidcSettingsValidator.DomainList(settings.HostedDomains).Contains(value, StringComparer.OrdinalIgnoreCase);
        return value is null
            ? new("Hosted domain", SsoTestCheckOutcome.Failed, $"The {settings.HostedDomainClaim} claim did not arrive.")
            : new("Hosted domain", allowed ? SsoTestCheckOutcome.Passed : SsoTestCheckOutcome.Failed,
                $"The {settings.HostedDomainClaim} claim is {value}{(allowed ? ", an allowed value." : ", which is not an allowed value.")}");
    }

    private static SsoTestCheck EmailCheck(SsoIdentity? identity) => identity switch
    {
        null => new("Email", SsoTestCheckOutcome.NotReached, "The answer had no subject."),
        { Email: null } => new("Email", SsoTestCheckOutcome.Warning, "No email arrived (neither the email claim nor the fallback claim held an address): a new user cannot be created."),
        { EmailClaim: "email" } => new("Email", SsoTestCheckOutcome.Passed,
            $"{identity.Email} from the email claim, {(identity.EmailVerified ? "verified by the provider" : "not marked verified by the provider (it cannot link an existing user)")}."),
        _ => new("Email", SsoTestCheckOutcome.Passed, $"{identity.Email} from the {identity.EmailClaim} claim (the email claim was missing); it can create a user, never link one."),
    };

    private static SsoTestCheck DomainCheck(OidcSettingsView settings, SsoMatch match)
    {
        if (OidcSettingsValidator.DomainList(settings.AllowedEmailDomains).Length == 0)
        {
            return new("Allowed email domains", SsoTestCheckOutcome.NotConfigured, "Any email domain may sign in.");
        }

        var email = match.Identity?.Email ?? match.User?.Email;
        return email is null
            ? new("Allowed email domains", SsoTestCheckOutcome.NotReached, "No email to check.")
            : SsoSignIn.DomainAllowed(email, settings.AllowedEmailDomains)
                ? new("Allowed email domains", SsoTestCheckOutcome.Passed, $"{email} is in an allowed domain.")
                : new("Allowed email domains", SsoTestCheckOutcome.Failed, $"{email} is not in an allowed domain.");
    }

    private static SsoTestCheck RoleCheck(OidcSettingsView settings, RoleClaimReading? roles)
    {
        if (roles is null || string.IsNullOrWhiteSpace(settings.AdminRoleValue))
        {
            return new("Administrator role", SsoTestCheckOutcome.NotConfigured, "No role claim and administrator value are set: single sign-on grants no one the administrator role.");
        }

        if (roles.Problem is not null)
        {
            return new("Administrator role", SsoTestCheckOutcome.Warning, $"The role claim could not be read ({roles.Problem}): this user would not be an administrator.");
        }

        var admin = roles.Values.Contains(settings.AdminRoleValue, StringComparer.Ordinal);
        return new("Administrator role", admin ? SsoTestCheckOutcome.Passed : SsoTestCheckOutcome.Warning,
            admin
                ? $"{settings.RoleClaimType} holds {settings.AdminRoleValue}: this user would be an administrator."
                : $"{settings.RoleClaimType} does not hold {settings.AdminRoleValue}: this user would not be an administrator.");
    }

    private static string AccountOutcome(SsoMatch match) => match switch
    {
        { Refusal: { } refusal } => $"{SsoErrors.Describe(refusal).Title}.",
        { Account: SsoAccount.Linked } => $"Signs in as {match.User!.Email}, already linked to this provider account.",
        { Account: SsoAccount.LinkByEmail } => $"Links this provider account to {match.User!.Email} (same verified email) and signs in.",
        _ => $"Creates the user {match.Identity!.Email} and signs in.",
    };
}
