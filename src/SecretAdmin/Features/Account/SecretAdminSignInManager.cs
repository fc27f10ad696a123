using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SecretAdmin.Data;
using SecretAdmin.Features.Mfa;
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
    SecretAdminDbContext db)
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

        var (failed, attempt) = await ClaimAndCheckAsync(user, () => UserManager.CheckPasswordAsync(user, password));
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
    /// (no slot: locked out, unchecked). Returns the refusal or failure, or null with the granted
    /// attempt when the check passed.
    /// </summary>
    private async Task<(SignInResult? Failed, SignInAttempt Attempt)> ClaimAndCheckAsync(SecretAdminUser user, Func<Task<bool>> check)
    {
        if (await PreSignInCheck(user) is { } refused)
        {
            return (refused, default!);
        }

        var attempt = await attempts.ClaimAsync(user.Id);
        if (!attempt.Granted)
        {
            return (await LockedOut(user), attempt);
        }

        await ReloadAsync(user);
        if (!await check())
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

        var (failed, attempt) = await ClaimAndCheckAsync(user, () => UserManager.VerifyTwoFactorTokenAsync(user, Options.Tokens.AuthenticatorTokenProvider, code));
        if (failed is not null)
        {
            return failed;
        }

        await attempts.SucceededAsync(attempt);
        List<Claim> claims = [new("amr", "mfa")];
        if (pending.Principal!.FindFirstValue(ClaimTypes.AuthenticationMethod) is { } loginProvider)
        {
            claims.Add(new Claim(ClaimTypes.AuthenticationMethod, loginProvider));
        }

        if (await _schemes.GetSchemeAsync(IdentityConstants.ExternalScheme) is not null)
        {
            await Context.SignOutAsync(IdentityConstants.ExternalScheme);
        }

        await Context.SignOutAsync(IdentityConstants.TwoFactorUserIdScheme);
        if (rememberClient)
        {
            await RememberTwoFactorClientAsync(user);
        }

        await SignInWithClaimsAsync(user, isPersistent, claims);
        return SignInResult.Success;
    }

    /// <summary>A second step is asked for whenever the user has a second factor, an authenticator or a passkey.</summary>
    public override async Task<bool> IsTwoFactorEnabledAsync(SecretAdminUser user) =>
        await SecondFactors.HasAnyAsync(db, user.Id);

    /// <summary>Starts the count again in one UPDATE, not by saving a user loaded before an attempt changed the row.</summary>
    protected override Task ResetLockout(SecretAdminUser user) => attempts.ResetAsync(user.Id);

    /// <summary>
    /// Loads the user Identity holds again after a claim changed its row (count, lock, concurrency
    /// stamp), so a save of it later in this request — a password hash upgrade — is not refused as stale.
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
