using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using SecretAdmin.Data;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Mail;
using SecretAdmin.Features.Users;

namespace SecretAdmin.Features.Account;

/// <summary>
/// A signed-in user changes their password; a temporary password stops being one. The change, its
/// audit entry and the notice to the owner commit together, on the context Identity's store uses.
/// </summary>
public sealed class PasswordChange(
    UserManager<SecretAdminUser> userManager,
    SignInManager<SecretAdminUser> signInManager,
    SecretAdminDbContext db,
    AuditLog auditLog,
    MailOutbox outbox,
    TimeProvider timeProvider)
{
    /// <summary>Changes the password and renews the sign-in cookie; errors are keyed "current" or "new".</summary>
    public async Task<UserChangeResult> ChangeAsync(ClaimsPrincipal principal, string currentPassword, string newPassword, string? clientIp)
    {
        if (await userManager.GetUserAsync(principal) is not { } user)
        {
            return UserChangeResult.Refused("Your account no longer exists.");
        }

        if (currentPassword == newPassword)
        {
            return UserChangeResult.Refused("Choose a password different from the current one.", "new");
        }

        await using var transaction = await db.BeginWriteLockedTransactionAsync(CancellationToken.None);
        var result = await userManager.ChangePasswordAsync(user, currentPassword, newPassword);
        if (!result.Succeeded)
        {
            var errors = result.Errors
                .GroupBy(e => e.Code == nameof(IdentityErrorDescriber.PasswordMismatch) ? "current" : "new")
                .ToDictionary(g => g.Key, g => g.Key == "current" ? ["The current password is not correct."] : g.Select(e => e.Description).ToArray());
            return new UserChangeResult(errors);
        }

        user.MustChangePassword = false;
        auditLog.Add(db, new AuditActor(user.Email!, clientIp), AuditActions.PasswordChanged, user.Email, ["Password", "MustChangePassword"]);
        if (SecurityNotices.PasswordChanged(user.Email, timeProvider.GetUtcNow().UtcDateTime) is { } notice)
        {
            outbox.Add(db, notice);
        }

        // Saves the user, the audit entry and the notice (Identity's store saves the whole context).
        if (!(await userManager.UpdateAsync(user)).Succeeded)
        {
            return UserChangeResult.Refused("Your account was changed elsewhere meanwhile; nothing was changed. Try again.");
        }

        await transaction.CommitAsync();
        await signInManager.RefreshSignInAsync(user);
        return UserChangeResult.Success;
    }
}
