using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Mfa;
using SecretAdmin.Features.Oidc;
using SecretAdmin.Features.Settings;
using SecretAdmin.Features.Users;

namespace SecretAdmin.Features.Sso;

/// <summary>The outcome of <see cref="SsoSignIn.CompleteAsync"/>: signed in, a local code still to enter, or refused (why).</summary>
/// <summary>Who the provider says signed in: its account (issuer and subject) and the email found, from which claim, and whether the provider verified it.</summary>
public sealed record SsoIdentity(string Issuer, string Subject, string? Email, string? EmailClaim, bool EmailVerified)
{
    /// <summary>The provider account as the audit log names it: <c>sso:&lt;issuer&gt;|&lt;subject&gt;</c>.</summary>
    public string AuditName => $"sso:{Issuer}|{Subject}";

    public UserLoginInfo Login(string? displayName) => new(Issuer, Subject, displayName);
}

/// <summary>What single sign-on would do with a local user.</summary>
public enum SsoAccount
{
    /// <summary>The provider account is linked to this user already.</summary>
    Linked,

    /// <summary>The user with the same verified email gets linked.</summary>
    LinkByEmail,

    /// <summary>A new user is created.</summary>
    Create,
}

/// <summary>The provider's answer matched to a local user (<see cref="Account"/>), or refused (<see cref="Refusal"/>); <see cref="User"/> is the local user it concerns, if any.</summary>
public sealed record SsoMatch(SsoIdentity? Identity, SsoAccount? Account, SecretAdminUser? User, SsoErrorKind? Refusal)
{
    public static SsoMatch Refused(SsoIdentity? identity, SsoErrorKind kind) => new(identity, null, null, kind);
}

public sealed record SsoSignInResult(bool SignedIn, bool RequiresTwoFactor, SsoErrorKind? Refusal)
{
    public static SsoSignInResult Success { get; } = new(true, false, null);

    public static SsoSignInResult TwoFactor { get; } = new(false, true, null);

    public static SsoSignInResult Refused(SsoErrorKind kind) => new(false, false, kind);
}

/// <summary>
/// After the provider: finds the local user by the provider account (issuer and subject), or by a
/// verified email when the settings allow linking, or creates one when they allow that — each only
/// when the email domain is accepted, users already linked included. Then applies the role mapping (never demoting the last
/// administrator) and signs in with Identity — through the local code step when the MFA policy
/// asks for it after single sign-on. Every outcome is audited.
/// </summary>
public sealed class SsoSignIn(
    SignInManager<SecretAdminUser> signInManager,
    UserManager<SecretAdminUser> userManager,
    UserAdminService users,
    OidcSettingsService oidcSettings,
    MfaPolicyService mfaPolicy,
    AuditLog auditLog,
    ILogger<SsoSignIn> logger)
{
    public async Task<SsoSignInResult> CompleteAsync(ClaimsPrincipal external, string? clientIp, CancellationToken cancellationToken = default)
    {
        var settings = await oidcSettings.GetAsync(cancellationToken);
        var match = await MatchAsync(external, settings);
        var provider = match.Identity is { } identity ? new AuditActor(identity.AuditName, clientIp) : AuditActor.Anonymous(clientIp);
        if (match.Refusal is { } refusal)
        {
            if (match.Identity is null)
            {
                logger.LogWarning("Single sign-on answer without a subject");
            }

            return await RefuseAsync(refusal, provider, match.Identity?.Email ?? match.User?.Email);
        }

        var login = match.Identity!.Login(settings.ButtonLabel);
        var actor = new AuditActor(match.Identity.Email ?? provider.Name, clientIp);
        var user = match.User;
        switch (match.Account)
        {
            case SsoAccount.LinkByEmail:
                var linked = await users.LinkSsoAsync(actor, user!.Id, login, cancellationToken);
                if (!linked.Succeeded)
                {
                    logger.LogWarning("Linking a single sign-on account failed: {Message}", linked.Message);
                    return await RefuseAsync(SsoErrorKind.ProviderError, provider, match.Identity.Email);
                }

                break;
            case SsoAccount.Create:
                var created = await users.CreateFromSsoAsync(actor, match.Identity.Email!, login, cancellationToken);
                if (!created.Succeeded)
                {
                    logger.LogWarning("Creating a user at single sign-on failed: {Message}", created.Message);
                    return await RefuseAsync(SsoErrorKind.ProviderError, provider, match.Identity.Email);
                }

                user = await userManager.FindByLoginAsync(login.LoginProvider, login.ProviderKey);
                if (user is null)
                {
                    return await RefuseAsync(SsoErrorKind.ProviderError, provider, match.Identity.Email);
                }

                break;
        }

        await ApplyRoleMappingAsync(user!, external, settings, clientIp, cancellationToken);

        await mfaPolicy.ApplyLockoutAsync(cancellationToken);
        var policy = await mfaPolicy.GetAsync(cancellationToken);
        var result = await signInManager.ExternalLoginSignInAsync(login.LoginProvider, login.ProviderKey, isPersistent: false, bypassTwoFactor: !policy.RequireTotpAfterSso);
        var userActor = actor with { Name = user!.Email! };
        if (result.Succeeded)
        {
            await users.RecordSignInAsync(user.Id, cancellationToken);
            await auditLog.WriteAsync(userActor, AuditActions.SsoSignedIn, user.Email, cancellationToken: cancellationToken);
            return SsoSignInResult.Success;
        }

        if (result.RequiresTwoFactor)
        {
            return SsoSignInResult.TwoFactor;
        }

        return await RefuseAsync(result.IsLockedOut ? SsoErrorKind.LockedOut : SsoErrorKind.Disabled, provider, user.Email);
    }

    /// <summary>
    /// Who the provider's answer is and which local user it would be (linked already, linked now by
    /// verified email, or created) — or why it is refused. Changes nothing; a test sign-in shows it as it is.
    /// </summary>
    public async Task<SsoMatch> MatchAsync(ClaimsPrincipal external, OidcSettingsView settings)
    {
        var subject = external.FindFirst("sub");
        if (subject is null || string.IsNullOrEmpty(subject.Issuer))
        {
            return SsoMatch.Refused(null, SsoErrorKind.ProviderError);
        }

        var hostedDomainRequired = !string.IsNullOrWhiteSpace(settings.HostedDomainClaim);
        if (hostedDomainRequired
            && !OidcSettingsValidator.DomainList(settings.HostedDomains).Contains(external.FindFirstValue(settings.HostedDomainClaim!), StringComparer.OrdinalIgnoreCase))
        {
            return SsoMatch.Refused(new SsoIdentity(subject.Issuer, subject.Value, null, null, false), SsoErrorKind.HostedDomainNotAllowed);
        }

        // The email claim, or the configured fallback claim when it is absent; an address from the
        // fallback is not verified by the provider's word, so it creates a user but never links one.
        var email = external.FindFirstValue("email")?.Trim();
        var emailClaim = email is null ? null : "email";
        if (email is null && !string.IsNullOrWhiteSpace(settings.EmailClaimFallback)
            && external.FindFirstValue(settings.EmailClaimFallback)?.Trim() is { } fallback && SettingsValidation.IsEmail(fallback))
        {
            email = fallback;
            emailClaim = settings.EmailClaimFallback;
        }

        var emailVerified = emailClaim == "email" && string.Equals(external.FindFirstValue("email_verified"), "true", StringComparison.OrdinalIgnoreCase);
        var identity = new SsoIdentity(subject.Issuer, subject.Value, email, emailClaim, emailVerified);

        if (await userManager.FindByLoginAsync(subject.Issuer, subject.Value) is { } linked)
        {
            // Allowed domains apply to users already linked too: the provider's email, else the local one.
            return DomainAllowed(email ?? linked.Email ?? "", settings.AllowedEmailDomains)
                ? new SsoMatch(identity, SsoAccount.Linked, linked, null)
                : new SsoMatch(identity, null, linked, SsoErrorKind.DomainNotAllowed);
        }

        if (email is not null && await userManager.FindByEmailAsync(email) is { } byEmail)
        {
            if (!(settings.LinkByVerifiedEmail && emailVerified))
            {
                return new SsoMatch(identity, null, byEmail, SsoErrorKind.EmailInUse);
            }

            return DomainAllowed(email, settings.AllowedEmailDomains)
                ? new SsoMatch(identity, SsoAccount.LinkByEmail, byEmail, null)
                : new SsoMatch(identity, null, byEmail, SsoErrorKind.DomainNotAllowed);
        }

        if (!settings.CreateUnknownUsers)
        {
            return SsoMatch.Refused(identity, SsoErrorKind.NotLinked);
        }

        if (email is null)
        {
            return SsoMatch.Refused(identity, SsoErrorKind.NoEmail);
        }

        return DomainAllowed(email, settings.AllowedEmailDomains)
            ? new SsoMatch(identity, SsoAccount.Create, null, null)
            : SsoMatch.Refused(identity, SsoErrorKind.DomainNotAllowed);
    }

    /// <summary>Empty list: every domain. Otherwise the email's domain must be one of them (commas, spaces or new lines between them).</summary>
    public static bool DomainAllowed(string email, string? allowedDomains)
    {
        var domains = OidcSettingsValidator.DomainList(allowedDomains);
        if (domains.Length == 0)
        {
            return true;
        }

        var at = email.LastIndexOf('@');
        var domain = at < 0 ? "" : email[(at + 1)..];
        return domains.Any(d => string.Equals(d.TrimStart('@'), domain, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// With a role claim and an admin value configured, the claim decides at every sign-in: admin
    /// granted while the value is there, revoked when it is gone — unless that would leave no
    /// administrator, which the user service refuses.
    /// </summary>
    private async Task ApplyRoleMappingAsync(SecretAdminUser user, ClaimsPrincipal external, OidcSettingsView settings, string? clientIp, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(settings.RoleClaimType) || string.IsNullOrWhiteSpace(settings.AdminRoleValue))
        {
            return;
        }

        var roles = RoleClaims.Read(external, settings.RoleClaimType);
        if (roles.Problem is not null)
        {
            // The claim's name and shape, never its content: the administrator sees why no role was found.
            logger.LogWarning("Single sign-on role claim could not be read: {Problem}", roles.Problem);
            await auditLog.WriteAsync(new AuditActor($"sso:{settings.RoleClaimType}", clientIp), AuditActions.SsoRoleClaimUnreadable, user.Email, reason: roles.Problem, cancellationToken: cancellationToken);
        }

        var admin = roles.Values.Contains(settings.AdminRoleValue, StringComparer.Ordinal);
        var change = await users.SetAdminAsync(new AuditActor($"sso:{settings.RoleClaimType}", clientIp), user.Id, admin, cancellationToken);
        if (!change.Succeeded)
        {
            // The last administrator keeps the role; they are told nothing, the log says why.
            logger.LogWarning("Single sign-on role mapping left the administrator role in place: {Message}", change.Message);
        }
    }

    /// <summary>Audits the refusal with its reason and the provider account it was for (never a token), and says why to the caller.</summary>
    private async Task<SsoSignInResult> RefuseAsync(SsoErrorKind kind, AuditActor provider, string? target)
    {
        logger.LogWarning("Single sign-on refused: {Reason}", SsoErrors.Code(kind));
        await auditLog.WriteAsync(provider, AuditActions.SsoRefused, target, reason: SsoErrors.Code(kind), cancellationToken: CancellationToken.None);
        return SsoSignInResult.Refused(kind);
    }
}
