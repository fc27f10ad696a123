using Microsoft.AspNetCore.Identity;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Mfa;
using SecretAdmin.Features.Users;

namespace SecretAdmin.Features.Account;

/// <summary>
/// Email and password sign-in for the sign-in form: Identity's checks and lockout, the same
/// answer whether or not the email exists, and an audit entry for each outcome.
/// </summary>
public sealed class PasswordSignIn(
    SignInManager<SecretAdminUser> signInManager,
    UserManager<SecretAdminUser> userManager,
    IPasswordHasher<SecretAdminUser> passwordHasher,
    DecoyPasswordHash decoy,
    UnknownAccountThrottle unknownAccounts,
    MfaPolicyService mfaPolicy,
    AuditLog auditLog,
    UserAdminService users)
{
    public async Task<PasswordSignInOutcome> SignInAsync(string email, string password, string? clientIp)
    {
        await mfaPolicy.ApplyLockoutAsync();
        var actor = AuditActor.Anonymous(clientIp);
        var user = await userManager.FindByEmailAsync(email.Trim());
        if (user is null)
        {
            // As for an account: an attempt that finds it locked is answered at once, unchecked.
            var locked = await unknownAccounts.IsLockedOutAsync(email);
            if (!locked)
            {
                // Costs what a real check costs, so timing does not tell whether the account exists.
                passwordHasher.VerifyHashedPassword(new SecretAdminUser(), decoy.Value, password);
                locked = await unknownAccounts.RecordFailureAsync(email);
            }

            // The typed email is not recorded: it could be a password typed into the wrong box.
            await auditLog.WriteAsync(actor, locked ? AuditActions.LockedOut : AuditActions.SignInFailed, target: null);
            return locked ? PasswordSignInOutcome.LockedOut : PasswordSignInOutcome.Failed;
        }

        var result = await signInManager.PasswordSignInAsync(user, password, isPersistent: false, lockoutOnFailure: true);
        var userActor = actor with { Name = user.Email! };
        if (result.IsLockedOut)
        {
            await auditLog.WriteAsync(actor, AuditActions.LockedOut, user.Email);
            return PasswordSignInOutcome.LockedOut;
        }

        if (result.RequiresTwoFactor)
        {
            return PasswordSignInOutcome.RequiresTwoFactor;
        }

        if (!result.Succeeded)
        {
            await auditLog.WriteAsync(actor, AuditActions.SignInFailed, user.Email);
            return PasswordSignInOutcome.Failed;
        }

        await users.RecordSignInAsync(user.Id);
        await auditLog.WriteAsync(userActor, AuditActions.SignInSucceeded, user.Email);
        return user.MustChangePassword ? PasswordSignInOutcome.MustChangePassword : PasswordSignInOutcome.Succeeded;
    }
}
