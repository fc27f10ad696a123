using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Users;

namespace SecretAdmin.Features.Account;

/// <summary>A signed-in user changes their password; a temporary password stops being one.</summary>
public sealed class PasswordChange(UserManager<SecretAdminUser> userManager, SignInManager<SecretAdminUser> signInManager, AuditLog auditLog)
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

        var result = await userManager.ChangePasswordAsync(user, currentPassword, newPassword);
        if (!result.Succeeded)
        {
            var errors = result.Errors
                .GroupBy(e => e.Code == nameof(IdentityErrorDescriber.PasswordMismatch) ? "current" : "new")
                .ToDictionary(g => g.Key, g => g.Key == "current" ? ["The current password is not correct."] : g.Select(e => e.Description).ToArray());
            return new UserChangeResult(errors);
        }

        user.MustChangePassword = false;
        await userManager.UpdateAsync(user);
        await signInManager.RefreshSignInAsync(user);
        await auditLog.WriteAsync(new AuditActor(user.Email!, clientIp), AuditActions.PasswordChanged, user.Email, ["Password", "MustChangePassword"]);
        return UserChangeResult.Success;
    }
}
