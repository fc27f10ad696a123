using Microsoft.AspNetCore.Identity;
using SecretAdmin.Access;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Mfa;
using SecretAdmin.Features.Mfa.Passkeys;
using SecretAdmin.Features.Users;

namespace SecretAdmin.Features.Account;

/// <summary>
/// Sign-in with a passkey, from the sign-in page (passwordless: the passkey must have verified its
/// user, which makes it two factors in one) or as the second step after a password. Identity
/// checks the credential; the MFA policy then decides whether this passkey may serve this role;
/// every outcome is audited as a password sign-in's is.
/// </summary>
public sealed class PasskeySignIn(
    SecretAdminSignInManager signInManager,
    UserManager<SecretAdminUser> userManager,
    MfaPolicyService mfaPolicy,
    AuditLog auditLog)
{
    public async Task<PasskeySignInOutcome> PasswordlessAsync(string? credentialJson, string? clientIp)
    {
        await mfaPolicy.ApplyLockoutAsync();
        var result = await signInManager.SignInWithPasskeyAsync(credentialJson, pending: null, async (user, credential) =>
            !credential.UserVerified ? PasskeyRefusal.NoUserVerificationWithoutPassword : await WhyRefusedAsync(user, credential));
        return await FinishAsync(result, clientIp);
    }

    public async Task<PasskeySignInOutcome> SecondStepAsync(string? credentialJson, string? clientIp)
    {
        await mfaPolicy.ApplyLockoutAsync();
        if (await signInManager.GetTwoFactorAuthenticationUserAsync() is not { } pending)
        {
            return new PasskeySignInOutcome(PasswordSignInOutcome.NoPendingSignIn, null);
        }

        var result = await signInManager.SignInWithPasskeyAsync(credentialJson, pending, WhyRefusedAsync);
        return await FinishAsync(result, clientIp);
    }

    private async Task<PasskeyRefusal?> WhyRefusedAsync(SecretAdminUser user, PasskeyCredential credential)
    {
        var policy = await mfaPolicy.GetAsync();
        return policy.WhyPasskeyRefused(await userManager.IsInRoleAsync(user, Roles.Admin), credential.UserVerified, credential.BackupEligible);
    }

    private async Task<PasskeySignInOutcome> FinishAsync(PasskeySignInResult result, string? clientIp)
    {
        var actor = AuditActor.Anonymous(clientIp);
        var email = result.User?.Email;
        if (result.Result.IsLockedOut)
        {
            await auditLog.WriteAsync(actor, AuditActions.LockedOut, email, ["Passkey"]);
            return new PasskeySignInOutcome(PasswordSignInOutcome.LockedOut, null);
        }

        if (result.Refusal is { } refusal)
        {
            await auditLog.WriteAsync(actor, AuditActions.PasskeyRefused, email, ["Passkey"], refusal.AuditReason);
            return new PasskeySignInOutcome(PasswordSignInOutcome.Failed, refusal.Message);
        }

        if (!result.Result.Succeeded)
        {
            // A disabled account is answered as a wrong passkey is: nothing tells which accounts exist or are disabled.
            await auditLog.WriteAsync(actor, AuditActions.SignInFailed, email, ["Passkey"]);
            return new PasskeySignInOutcome(PasswordSignInOutcome.Failed, null);
        }

        var user = result.User!;
        // The sign-in's time was recorded with the attempt's success (SignInAttempts.SignedInAsync).
        await auditLog.WriteAsync(actor with { Name = user.Email! }, AuditActions.SignInSucceeded, user.Email, ["Passkey"]);
        return new PasskeySignInOutcome(user.MustChangePassword ? PasswordSignInOutcome.MustChangePassword : PasswordSignInOutcome.Succeeded, null);
    }
}

/// <summary>A passkey sign-in's outcome, and the MFA policy's reason when it refused the passkey.</summary>
public sealed record PasskeySignInOutcome(PasswordSignInOutcome Outcome, string? Refusal);
