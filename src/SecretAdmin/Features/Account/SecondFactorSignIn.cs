using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using SecretAdmin.Data;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Mfa;
using SecretAdmin.Features.Users;
using SecretAdmin.Features.Mfa.Totp;

namespace SecretAdmin.Features.Account;

/// <summary>
/// The second step of a sign-in, after the password: an authenticator code through Identity's
/// two-factor sign-in, or a single-use recovery code; each attempt claims a slot toward lockout
/// before it is checked.
/// </summary>
public sealed class SecondFactorSignIn(
    SignInManager<SecretAdminUser> signInManager,
    SignInAttempts attempts,
    MfaEnrollmentService mfa,
    AuditLog auditLog,
    IHttpContextAccessor httpContextAccessor,
    MfaPolicyService policyService,
    IDbContextFactory<SecretAdminDbContext> dbContextFactory)
{
    /// <summary>The user who passed the password step in this browser, or null.</summary>
    public Task<SecretAdminUser?> PendingUserAsync() => signInManager.GetTwoFactorAuthenticationUserAsync();

    // The steps worked out in this request: the service is scoped, and its pages are static, so a
    // scope is one request (the form's handler asks again what the page asked a moment before).
    private (string UserId, SecondFactorSet Factors, bool PasskeyOnly)? _steps;

    /// <summary>
    /// The second steps this user may take: their factors, and whether the MFA policy makes the
    /// passkey the only one (a passkey is required for their role and they have one; recovery
    /// codes stay the way back when it is lost). Read once per request.
    /// </summary>
    public async Task<(SecondFactorSet Factors, bool PasskeyOnly)> StepsForAsync(SecretAdminUser user)
    {
        if (_steps is { } known && known.UserId == user.Id)
        {
            return (known.Factors, known.PasskeyOnly);
        }

        await using var db = await dbContextFactory.CreateDbContextAsync();
        var factors = await SecondFactors.OfAsync(db, user.Id);
        var passkeyOnly = false;
        if (factors.Passkeys > 0)
        {
            // Whether the policy requires a passkey matters only to someone who has one.
            var isAdmin = await UserAdminService.AdminIds(db).ContainsAsync(user.Id);
            var policy = await policyService.GetAsync();
            passkeyOnly = policy.RequiresPasskey(isAdmin) || !factors.Authenticator;
        }

        _steps = (user.Id, factors, passkeyOnly);
        return (factors, passkeyOnly);
    }

    public async Task<PasswordSignInOutcome> WithCodeAsync(string? code, string? clientIp)
    {
        if (await PendingUserAsync() is not { } user)
        {
            return PasswordSignInOutcome.NoPendingSignIn;
        }

        if ((await StepsForAsync(user)).PasskeyOnly)
        {
            await auditLog.WriteAsync(AuditActor.Anonymous(clientIp), AuditActions.SignInFailed, user.Email, ["Authenticator"], "the MFA policy requires a passkey");
            return PasswordSignInOutcome.PasskeyRequired;
        }

        var result = await signInManager.TwoFactorAuthenticatorSignInAsync(TotpVerifier.Normalize(code) ?? "", isPersistent: false, rememberClient: false);
        return await FinishAsync(user, result.Succeeded, result.IsLockedOut, clientIp);
    }

    public async Task<PasswordSignInOutcome> WithRecoveryCodeAsync(string? code, string? clientIp)
    {
        if (await PendingUserAsync() is not { } user)
        {
            return PasswordSignInOutcome.NoPendingSignIn;
        }

        // The slot is claimed before the code is checked (see SignInAttempts).
        var attempt = await attempts.ClaimAsync(user.Id);
        if (!attempt.Granted)
        {
            return await FinishAsync(user, succeeded: false, lockedOut: true, clientIp);
        }

        // The code's use is audited, and its owner told, as it is marked used.
        if (!await mfa.RedeemRecoveryCodeAsync(new AuditActor(user.Email ?? user.Id, clientIp), user.Id, code))
        {
            return await FinishAsync(user, succeeded: false, attempt.LocksOut, clientIp);
        }

        await attempts.SignedInAsync(attempt);
        await httpContextAccessor.HttpContext!.SignOutAsync(IdentityConstants.TwoFactorUserIdScheme);
        await signInManager.SignInAsync(user, isPersistent: false, authenticationMethod: "recovery-code");
        return await FinishAsync(user, succeeded: true, lockedOut: false, clientIp);
    }

    private async Task<PasswordSignInOutcome> FinishAsync(SecretAdminUser user, bool succeeded, bool lockedOut, string? clientIp)
    {
        var actor = AuditActor.Anonymous(clientIp);
        if (lockedOut)
        {
            await auditLog.WriteAsync(actor, AuditActions.LockedOut, user.Email);
            return PasswordSignInOutcome.LockedOut;
        }

        if (!succeeded)
        {
            await auditLog.WriteAsync(actor, AuditActions.SignInFailed, user.Email);
            return PasswordSignInOutcome.Failed;
        }

        // The sign-in's time was recorded with the attempt's success (SignInAttempts.SignedInAsync).
        await auditLog.WriteAsync(actor with { Name = user.Email! }, AuditActions.SignInSucceeded, user.Email);
        return user.MustChangePassword ? PasswordSignInOutcome.MustChangePassword : PasswordSignInOutcome.Succeeded;
    }
}
