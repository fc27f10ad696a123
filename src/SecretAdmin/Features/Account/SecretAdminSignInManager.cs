using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SecretAdmin.Data;
using SecretAdmin.Features.Mfa;
using SecretAdmin.Features.Mfa.Passkeys;
using SecretAdmin.Features.Users;

namespace SecretAdmin.Features.Account;

/// <summary>
/// Identity's sign-in manager, refusing users an administrator has disabled, and counting wrong
/// passwords and authenticator codes through <see cref="SignInAttempts"/>: a slot is claimed before
/// the answer is checked, so attempts sent at once check no more than the lockout policy allows.
/// </summary>
public sealed class SecretAdminSignInManager(
    UserManager<SecretAdminUser> userManager,
    IHttpContextAccessor contextAccessor,
    IUserClaimsPrincipalFactory<SecretAdminUser> claimsFactory,
    IOptions<IdentityOptions> optionsAccessor,
    ILogger<SignInManager<SecretAdminUser>> logger,
    IAuthenticationSchemeProvider schemes,
    IUserConfirmation<SecretAdminUser> confirmation,
    SignInAttempts attempts,
    SecretAdminDbContext db,
    IPasskeyHandler<SecretAdminUser> passkeyHandler,
    PasskeyCeremony ceremony,
    MfaPolicyService mfaPolicy,
    MfaEnrollmentService mfa,
    TimeProvider timeProvider)
    : SignInManager<SecretAdminUser>(userManager, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
{
    private readonly IAuthenticationSchemeProvider _schemes = schemes;

    public override async Task<bool> CanSignInAsync(SecretAdminUser user) =>
        !user.IsDisabled && await base.CanSignInAsync(user);

    public override async Task<SignInResult> CheckPasswordSignInAsync(SecretAdminUser user, string password, bool lockoutOnFailure)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (!lockoutOnFailure)
        {
            return await base.CheckPasswordSignInAsync(user, password, lockoutOnFailure);
        }

        // Checking the password may upgrade its hash and save the user: the row is read again after the claim changed it.
        var (failed, attempt) = await ClaimAndCheckAsync(user, async _ =>
        {
            await ReloadAsync(user);
            return await UserManager.CheckPasswordAsync(user, password);
        });
        if (failed is not null)
        {
            return failed;
        }

        // As Identity: with a second factor still to come, a right password neither counts as a
        // failure nor starts the count again — else knowing it would give endless code guesses.
        if (await IsTwoFactorEnabledAsync(user) && !await IsTwoFactorClientRememberedAsync(user))
        {
            await attempts.WithdrawAsync(attempt);
        }
        else
        {
            await attempts.SucceededAsync(attempt);
        }

        return SignInResult.Success;
    }

    /// <summary>
    /// The user's sign-in checks, then an attempt slot claimed before <paramref name="check"/> runs
    /// (no slot: locked out, unchecked), with the MFA policy read once for both. Returns the refusal
    /// or failure, or null with the granted attempt when the check passed.
    /// </summary>
    /// <remarks>
    /// The claim changes the user's row (count, lock, concurrency stamp) under the entity Identity
    /// holds. A check after which the user is saved reloads it first (<see cref="ReloadAsync"/>);
    /// without that, a save of it is refused on its concurrency stamp, and never writes an older count.
    /// </remarks>
    private async Task<(SignInResult? Failed, SignInAttempt Attempt)> ClaimAndCheckAsync(SecretAdminUser user, Func<MfaPolicyView, Task<bool>> check)
    {
        if (await PreSignInCheck(user) is { } refused)
        {
            return (refused, default!);
        }

        var policy = await mfaPolicy.GetAsync();
        var attempt = await attempts.ClaimAsync(user, policy);
        if (!attempt.Granted)
        {
            return (await LockedOut(user), attempt);
        }

        if (!await check(policy))
        {
            return (attempt.LocksOut ? await LockedOut(user) : SignInResult.Failed, attempt);
        }

        return (null, attempt);
    }

    /// <summary>
    /// Identity's authenticator-code sign-in with the slot claimed before the code is checked; after a
    /// right code it signs in as Identity does (an "mfa" amr claim, the external login provider kept,
    /// the two-factor cookie removed).
    /// </summary>
    public override async Task<SignInResult> TwoFactorAuthenticatorSignInAsync(string code, bool isPersistent, bool rememberClient)
    {
        var pending = await Context.AuthenticateAsync(IdentityConstants.TwoFactorUserIdScheme);
        var user = pending.Principal?.FindFirstValue(ClaimTypes.Name) is { } userId ? await UserManager.FindByIdAsync(userId) : null;
        if (user is null)
        {
            return SignInResult.Failed;
        }

        // The code is checked against the row just read, with the policy the claim read; nothing
        // here saves the user (the step ledger, the count and the sign-in time are UPDATEs of their own).
        var (failed, attempt) = await ClaimAndCheckAsync(user, policy => mfa.CheckSignInCodeAsync(user, code, policy));
        if (failed is not null)
        {
            return failed;
        }

        await attempts.SignedInAsync(attempt);
        if (rememberClient)
        {
            await RememberTwoFactorClientAsync(user);
        }

        await FinishSecondStepAsync(user, pending.Principal!, isPersistent);
        return SignInResult.Success;
    }

    /// <summary>
    /// Signs in as Identity does after a second step: an "mfa" amr claim, the external login
    /// provider kept (single sign-on), the external and two-factor cookies removed.
    /// </summary>
    private async Task FinishSecondStepAsync(SecretAdminUser user, ClaimsPrincipal pending, bool isPersistent)
    {
        List<Claim> claims = [new("amr", "mfa")];
        if (pending.FindFirstValue(ClaimTypes.AuthenticationMethod) is { } loginProvider)
        {
            claims.Add(new Claim(ClaimTypes.AuthenticationMethod, loginProvider));
        }

        if (await _schemes.GetSchemeAsync(IdentityConstants.ExternalScheme) is not null)
        {
            await Context.SignOutAsync(IdentityConstants.ExternalScheme);
        }

        await Context.SignOutAsync(IdentityConstants.TwoFactorUserIdScheme);
        await SignInWithClaimsAsync(user, isPersistent, claims);
    }

    /// <summary>Identity's passkey registration options, the ceremony's state kept in its own cookie (<see cref="PasskeyCeremony"/>).</summary>
    public override async Task<string> MakePasskeyCreationOptionsAsync(PasskeyUserEntity userEntity)
    {
        var result = await passkeyHandler.MakeCreationOptionsAsync(userEntity, Context);
        ceremony.Begin(Context, PasskeyOperation.Registration, result.AttestationState ?? "");
        return result.CreationOptionsJson;
    }

    /// <summary>Identity's passkey sign-in options: any passkey of this site (null), or one of <paramref name="user"/>'s.</summary>
    public override async Task<string> MakePasskeyRequestOptionsAsync(SecretAdminUser? user)
    {
        var result = await passkeyHandler.MakeRequestOptionsAsync(user, Context);
        ceremony.Begin(Context, PasskeyOperation.SignIn, result.AssertionState ?? "");
        return result.RequestOptionsJson;
    }

    /// <summary>Identity's check of a new passkey against the registration this browser began (once).</summary>
    public override async Task<PasskeyAttestationResult> PerformPasskeyAttestationAsync(string credentialJson)
    {
        if (ceremony.Take(Context, PasskeyOperation.Registration) is not { } state)
        {
            return PasskeyAttestationResult.Fail(new PasskeyException("No passkey registration is under way in this browser, or it took longer than five minutes."));
        }

        return await passkeyHandler.PerformAttestationAsync(new PasskeyAttestationContext { CredentialJson = credentialJson, AttestationState = state, HttpContext = Context });
    }

    /// <summary>Identity's check of a passkey sign-in against the one this browser began (once).</summary>
    public override async Task<PasskeyAssertionResult<SecretAdminUser>> PerformPasskeyAssertionAsync(string credentialJson)
    {
        if (ceremony.Take(Context, PasskeyOperation.SignIn) is not { } state)
        {
            return PasskeyAssertionResult.Fail<SecretAdminUser>(new PasskeyException("No passkey sign-in is under way in this browser, or it took longer than five minutes."));
        }

        return await passkeyHandler.PerformAssertionAsync(new PasskeyAssertionContext { CredentialJson = credentialJson, AssertionState = state, HttpContext = Context });
    }

    /// <summary>Passwordless sign-in through <see cref="SignInWithPasskeyAsync"/>: the same checks as a password, not Identity's shortcut past them.</summary>
    public override async Task<SignInResult> PasskeySignInAsync(string credentialJson) =>
        (await SignInWithPasskeyAsync(credentialJson, pending: null, (_, _) => Task.FromResult<PasskeyRefusal?>(null))).Result;

    /// <summary>
    /// Signs in with a passkey: passwordless (<paramref name="pending"/> null), or as the second step
    /// of <paramref name="pending"/>'s sign-in. As with a password, a disabled or locked-out account
    /// is refused before the passkey is checked, and the check claims an attempt slot first, so a
    /// failure counts toward lockout. <paramref name="whyRefused"/> applies the MFA policy to a
    /// passkey that verified (a refusal is not counted as a failed guess).
    /// </summary>
    public async Task<PasskeySignInResult> SignInWithPasskeyAsync(
        string? credentialJson,
        SecretAdminUser? pending,
        Func<SecretAdminUser, PasskeyCredential, Task<PasskeyRefusal?>> whyRefused)
    {
        var pendingPrincipal = pending is null ? null : (await Context.AuthenticateAsync(IdentityConstants.TwoFactorUserIdScheme)).Principal;
        var credential = PasskeyCredential.FromAssertionJson(credentialJson);
        var owner = credential is null ? null : await UserManager.FindByPasskeyIdAsync(credential.Id);
        var user = pending ?? owner;
        if (user is null || credential is null || (pending is not null && pendingPrincipal is null))
        {
            Logger.LogWarning("A passkey sign-in failed: {Reason}.", credential is null ? "the browser sent no readable credential" : "no account has that passkey");
            ceremony.Take(Context, PasskeyOperation.SignIn);
            return new PasskeySignInResult(SignInResult.Failed, user, null);
        }

        PasskeyAssertionResult<SecretAdminUser>? asserted = null;
        var (failed, attempt) = await ClaimAndCheckAsync(user, async _ =>
        {
            // The passkey's new signature count is saved with the user below: read it again after the claim.
            await ReloadAsync(user);
            asserted = await PerformPasskeyAssertionAsync(credentialJson!);
            if (!asserted.Succeeded)
            {
                // Identity's reason (a wrong challenge, origin, signature or counter) names nothing secret.
                Logger.LogWarning("A passkey sign-in failed: {Reason}", asserted.Failure.Message);
            }

            return asserted.Succeeded && asserted.User.Id == user.Id;
        });
        if (failed is not null)
        {
            // Refused before the check (disabled, locked out): the ceremony's state goes all the same.
            ceremony.Take(Context, PasskeyOperation.SignIn);
            return new PasskeySignInResult(failed, user, null);
        }

        if (await whyRefused(user, credential) is { } refusal)
        {
            await attempts.WithdrawAsync(attempt);
            return new PasskeySignInResult(SignInResult.NotAllowed, user, refusal);
        }

        // The new signature count, and when the passkey was last used.
        var updated = await UserManager.AddOrUpdatePasskeyAsync(user, asserted!.Passkey!);
        if (!updated.Succeeded)
        {
            await attempts.WithdrawAsync(attempt);
            return new PasskeySignInResult(SignInResult.Failed, user, null);
        }

        var now = timeProvider.GetUtcNow().UtcDateTime;
        await db.Passkeys.Where(p => p.CredentialId == credential.Id)
            .ExecuteUpdateAsync(set => set.SetProperty(p => EF.Property<DateTime?>(p, PasskeyEntityTypeConfiguration.LastUsedAtUtc), now));
        await attempts.SignedInAsync(attempt);
        if (pendingPrincipal is not null)
        {
            await FinishSecondStepAsync(user, pendingPrincipal, isPersistent: false);
        }
        else
        {
            // A passkey that verified its user is two factors in one: what the device holds and the PIN or biometrics that unlocked it.
            await SignInWithClaimsAsync(user, isPersistent: false, [new Claim("amr", credential.UserVerified ? "mfa" : "hwk"), new Claim(ClaimTypes.AuthenticationMethod, "passkey")]);
        }

        return new PasskeySignInResult(SignInResult.Success, user, null);
    }

    /// <summary>A second step is asked for whenever the user has a second factor, an authenticator or a passkey.</summary>
    public override async Task<bool> IsTwoFactorEnabledAsync(SecretAdminUser user) =>
        await SecondFactors.HasAnyAsync(db, user.Id);

    /// <summary>Starts the count again in one UPDATE, not by saving a user loaded before an attempt changed the row.</summary>
    protected override Task ResetLockout(SecretAdminUser user) => attempts.ResetAsync(user.Id);

    /// <summary>
    /// Loads the user Identity holds again after a claim changed its row (count, lock, concurrency
    /// stamp), so a save of it later in this request — a password hash upgrade, a passkey's
    /// signature count — is not refused as stale.
    /// </summary>
    private async Task ReloadAsync(SecretAdminUser user)
    {
        var entry = db.Entry(user);
        if (entry.State != EntityState.Detached)
        {
            await entry.ReloadAsync();
        }
    }
}
