using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using SecretAdmin.Data;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Mail;
using SecretAdmin.Features.Users;

namespace SecretAdmin.Features.Account;

/// <summary>
/// Choosing a password through a link from a mail: accepting an invitation, and resetting a forgotten
/// password. A link works once (its token is bound to the security stamp, which the new password
/// changes), signs nobody in — the second step is still asked at the next sign-in — and leaves a
/// locked-out account locked until its lockout ends.
/// </summary>
public sealed class PasswordLinks(
    UserManager<SecretAdminUser> userManager,
    SecretAdminDbContext db,
    MailOutbox outbox,
    MailLinks links,
    MailAvailability availability,
    AuditLog auditLog,
    TimeProvider timeProvider)
{
    public const string InvalidLinkMessage = "This link is not valid any more: it was used already, it expired, or it was copied incompletely.";

    /// <summary>How long after one reset mail to an address another is queued for it.</summary>
    public static readonly TimeSpan ResetMailInterval = TimeSpan.FromMinutes(1);

    public static readonly TimeSpan ResetLinkLifespan = TimeSpan.FromMinutes(30);

    /// <summary>True when the link's token is (still) good for that user and purpose.</summary>
    public async Task<bool> IsValidAsync(PasswordLinkKind kind, string? userId, string? token) =>
        await UserForAsync(kind, userId, token) is not null;

    /// <summary>
    /// Queues a reset mail when <paramref name="email"/> belongs to an enabled account and mail is
    /// available; answers nothing either way, so the page says the same for every address.
    /// </summary>
    public async Task RequestResetAsync(string email, string? clientIp, CancellationToken cancellationToken = default)
    {
        if (await availability.WhyUnavailableAsync(cancellationToken) is not null
            || await userManager.FindByEmailAsync(email.Trim()) is not { Email: { } address } user
            || user.IsDisabled)
        {
            return;
        }

        var since = timeProvider.GetUtcNow().UtcDateTime - ResetMailInterval;
        if (await db.OutboxMails.AnyAsync(m => m.Recipient == address && m.Kind == "password-reset" && m.CreatedAtUtc > since, cancellationToken))
        {
            return;
        }

        var token = await userManager.GeneratePasswordResetTokenAsync(user);
        outbox.Add(db, AccountMails.PasswordReset(address, links.To(AccountPaths.ResetPassword, ("user", user.Id), ("token", token)), ResetLinkLifespan));
        auditLog.Add(db, AuditActor.Anonymous(clientIp), AuditActions.PasswordResetRequested, address);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Sets the password a link is for; errors keyed "" (the link) or "new" (the password).</summary>
    public async Task<UserChangeResult> SetPasswordAsync(PasswordLinkKind kind, string? userId, string? token, string newPassword, string? clientIp)
    {
        if (await UserForAsync(kind, userId, token) is not { } user)
        {
            return UserChangeResult.Refused(InvalidLinkMessage);
        }

        // The new password, its audit entry and (for a reset) the notice to the owner commit together.
        await using var transaction = await db.BeginWriteLockedTransactionAsync(CancellationToken.None);
        var result = kind == PasswordLinkKind.Invitation
            ? await userManager.AddPasswordAsync(user, newPassword)
            : await userManager.ResetPasswordAsync(user, token!, newPassword);
        if (!result.Succeeded)
        {
            var invalid = result.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.InvalidToken));
            return invalid
                ? UserChangeResult.Refused(InvalidLinkMessage)
                : new UserChangeResult(new Dictionary<string, string[]> { ["new"] = [.. result.Errors.Select(e => e.Description)] });
        }

        user.MustChangePassword = false;
        auditLog.Add(
            db,
            new AuditActor(user.Email!, clientIp),
            kind == PasswordLinkKind.Invitation ? AuditActions.InvitationAccepted : AuditActions.PasswordReset,
            user.Email,
            ["Password"]);
        if (kind == PasswordLinkKind.Reset && SecurityNotices.PasswordChanged(user.Email, timeProvider.GetUtcNow().UtcDateTime) is { } notice)
        {
            outbox.Add(db, notice);
        }

        // Saves the user, the audit entry and the notice (Identity's store saves the whole context).
        if (!(await userManager.UpdateAsync(user)).Succeeded)
        {
            return UserChangeResult.Refused("Your account was changed elsewhere meanwhile; nothing was changed. Open the link again.");
        }

        await transaction.CommitAsync();
        return UserChangeResult.Success;
    }

    private async Task<SecretAdminUser?> UserForAsync(PasswordLinkKind kind, string? userId, string? token)
    {
        if (string.IsNullOrEmpty(userId) || string.IsNullOrEmpty(token) || userId.Length > 100 || token.Length > 2000
            || await userManager.FindByIdAsync(userId) is not { } user || user.IsDisabled)
        {
            return null;
        }

        var valid = kind == PasswordLinkKind.Invitation
            ? !await userManager.HasPasswordAsync(user) && await userManager.VerifyUserTokenAsync(user, InvitationTokenProvider.ProviderName, InvitationTokenProvider.Purpose, token)
            : await userManager.VerifyUserTokenAsync(user, userManager.Options.Tokens.PasswordResetTokenProvider, UserManager<SecretAdminUser>.ResetPasswordTokenPurpose, token);
        return valid ? user : null;
    }
}
