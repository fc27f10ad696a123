using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using SecretAdmin.Data;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Mail;
using SecretAdmin.Features.Users;
using SecretAdmin.Security;
using SecretAdmin.Features.Mfa.Totp;
using SecretAdmin.Features.Mfa.RecoveryCodes;

namespace SecretAdmin.Features.Mfa;

/// <summary>
/// Authenticator enrollment and checks. The TOTP secret is sealed into the user's row (bound to
/// the user id) when the first code confirms it, and opened only to check a code; each time step
/// is accepted once. Recovery codes are stored as password hashes and each works once. The owner is
/// told of each change, and of a used code refused, by a notice queued with its audit entry.
/// </summary>
public sealed class MfaEnrollmentService(
    IDbContextFactory<SecretAdminDbContext> dbContextFactory,
    SecretSealer sealer,
    MfaPolicyService policyService,
    TotpStepLedger ledger,
    AuditLog auditLog,
    MailOutbox outbox,
    SignInAttempts attempts,
    Microsoft.Extensions.Options.IOptions<PasswordHasherOptions> passwordHasherOptions,
    IServiceScopeFactory scopeFactory,
    TimeProvider timeProvider)
{
    // Recovery codes are hashed as passwords are (Identity's PBKDF2 hasher with the app's options).
    private readonly PasswordHasher<SecretAdminUser> _passwordHasher = new(passwordHasherOptions);

    public const int RecoveryCodeCount = 10;
    public const int SecretSizeInBytes = 20;
    private const string RecoveryAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    /// <summary>A fresh 160-bit secret under the current policy, for the owner's enrollment page.</summary>
    public async Task<TotpEnrollmentOffer> OfferAsync(string userId, CancellationToken cancellationToken = default)
    {
        var policy = await policyService.GetAsync(cancellationToken);
        await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
        var email = await db.Users.Where(u => u.Id == userId).Select(u => u.Email).SingleAsync(cancellationToken);
        return new TotpEnrollmentOffer(RandomNumberGenerator.GetBytes(SecretSizeInBytes), TotpParameters.From(policy), policy.Issuer, email!);
    }

    /// <summary>Enables MFA when <paramref name="code"/> is valid for the offer; seals the secret, records the step, issues recovery codes.</summary>
    public async Task<TotpEnrollmentResult> ConfirmAsync(AuditActor actor, string userId, TotpEnrollmentOffer offer, string? code, CancellationToken cancellationToken = default)
    {
        var policy = await policyService.GetAsync(cancellationToken);
        var step = TotpVerifier.Verify(offer.Secret, offer.Parameters, code, timeProvider.GetUtcNow(), policy.WindowSteps);
        if (step is null)
        {
            return TotpEnrollmentResult.Refused("That code does not match. Check the time on your phone and enter the code your app shows now.");
        }

        await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
        var place = SecretPlace(db, userId);
        string envelope;
        try
        {
            // Sealed before the transaction, which holds the database's write lock.
            envelope = sealer.Seal(Base32(offer.Secret), place);
        }
        catch (MasterKeyUnavailableException)
        {
            return TotpEnrollmentResult.Refused("Your authenticator cannot be saved now: the server's master key is unavailable. Nothing was changed; try again later.");
        }

        await using var transaction = await db.BeginWriteLockedTransactionAsync(cancellationToken);
        var user = await db.Users.SingleAsync(u => u.Id == userId, cancellationToken);
        user.TotpSecret.Store(envelope, place.Destination, timeProvider.GetUtcNow().UtcDateTime, actor.Name);
        user.TotpDigits = offer.Parameters.Digits;
        user.TotpPeriodSeconds = offer.Parameters.PeriodSeconds;
        user.TotpAlgorithm = offer.Parameters.Algorithm;
        user.TwoFactorEnabled = true;

        // A user Identity loaded before this change must not be saved over it.
        user.ConcurrencyStamp = Guid.NewGuid().ToString("N");
        var codes = await ReplaceRecoveryCodesAsync(db, userId, cancellationToken);
        auditLog.Add(db, actor, AuditActions.MfaEnrolled, user.Email, ["Authenticator", "RecoveryCodes"]);
        AddNotice(db, SecurityNotices.MfaEnabled(user.Email, timeProvider.GetUtcNow().UtcDateTime));
        await db.SaveChangesAsync(cancellationToken);

        // The confirming code's step is used: set directly, as only the ledger's UPDATE writes this column.
        await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(set => set.SetProperty(u => u.TotpLastAcceptedStep, step), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TotpEnrollmentResult.Enabled(codes);
    }

    /// <summary>Checks a sign-in code with the enrollment's own parameters; fails closed when the secret cannot be opened.</summary>
    public async Task<TotpCheckOutcome> VerifyAsync(string userId, string? code, CancellationToken cancellationToken = default)
    {
        await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
        return user is null ? TotpCheckOutcome.NotEnrolled : await VerifyAsync(user, code, policy: null, cancellationToken);
    }

    /// <summary>
    /// The code step of a sign-in, against the sealed secret in <paramref name="user"/>, the row sign-in
    /// has just read, with the MFA policy it has read (null: read it here); a replayed code is audited.
    /// True when the code is accepted.
    /// </summary>
    public async Task<bool> CheckSignInCodeAsync(SecretAdminUser user, string? code, MfaPolicyView? policy, CancellationToken cancellationToken = default)
    {
        var outcome = await VerifyAsync(user, code, policy, cancellationToken);
        if (outcome == TotpCheckOutcome.Replayed)
        {
            await RecordReplayedCodeAsync(new AuditActor(user.Email ?? user.Id, null), user.Email, cancellationToken);
        }

        return outcome == TotpCheckOutcome.Accepted;
    }

    /// <summary>
    /// Checks <paramref name="code"/> against the sealed secret in <paramref name="user"/>. Each time
    /// step is accepted once: the step ledger's conditional UPDATE decides, whatever the row's age.
    /// </summary>
    private async Task<TotpCheckOutcome> VerifyAsync(SecretAdminUser user, string? code, MfaPolicyView? policy, CancellationToken cancellationToken)
    {
        if (user is not { TotpSecret.IsStored: true, TotpDigits: { } digits, TotpPeriodSeconds: { } period, TotpAlgorithm: { } algorithm })
        {
            return TotpCheckOutcome.NotEnrolled;
        }

        policy ??= await policyService.GetAsync(cancellationToken);
        var userId = user.Id;
        var secret = sealer.Open(user.TotpSecret, TotpSecretPlace(userId)).Match<byte[]?>(
            () => null,
            present => OtpNet.Base32Encoding.ToBytes(present.Value),
            _ => null);
        if (secret is null)
        {
            return TotpCheckOutcome.SecretUnreadable;
        }

        try
        {
            var step = TotpVerifier.Verify(secret, new TotpParameters(digits, period, algorithm), code, timeProvider.GetUtcNow(), policy.WindowSteps);
            if (step is null)
            {
                return TotpCheckOutcome.Invalid;
            }

            return await ledger.TryAcceptAsync(userId, step.Value, cancellationToken) ? TotpCheckOutcome.Accepted : TotpCheckOutcome.Replayed;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>
    /// Confirms it is the owner before their authenticator or recovery codes change: a current code
    /// from the app (each code once), or the password. A failure counts toward lockout, as at sign-in.
    /// </summary>
    public async Task<ReauthenticationResult> ReauthenticateAsync(AuditActor actor, string userId, string? proof, CancellationToken cancellationToken = default)
    {
        proof = proof?.Trim();
        if (string.IsNullOrEmpty(proof))
        {
            return ReauthenticationResult.Refused("Enter your password or the code your app shows now.");
        }

        await policyService.ApplyLockoutAsync(cancellationToken);
        // The slot is claimed before the answer is checked (see SignInAttempts): a wrong answer is counted already.
        var attempt = await attempts.ClaimAsync(userId, cancellationToken);
        if (!attempt.Granted)
        {
            return ReauthenticationResult.Refused("Too many failed attempts. Wait until the lockout ends, then try again.");
        }

        await using var scope = scopeFactory.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<SecretAdminUser>>();
        var user = await users.FindByIdAsync(userId) ?? throw new InvalidOperationException("The signed-in user no longer exists.");

        // Passwords are at least 12 characters, so 6 or 8 digits can only be a code.
        var confirmed = proof.Length is 6 or 8 && proof.All(char.IsAsciiDigit)
            ? await VerifyAsync(userId, proof, cancellationToken)
            : await users.CheckPasswordAsync(user, proof) ? TotpCheckOutcome.Accepted : TotpCheckOutcome.Invalid;
        if (confirmed == TotpCheckOutcome.Accepted)
        {
            await attempts.SucceededAsync(attempt, cancellationToken);
            return ReauthenticationResult.Success;
        }

        if (confirmed == TotpCheckOutcome.Replayed)
        {
            await RecordReplayedCodeAsync(actor, user.Email, cancellationToken);
        }

        return ReauthenticationResult.Refused(confirmed switch
        {
            TotpCheckOutcome.Replayed => "That code was already used. Wait for the next code in your app.",
            TotpCheckOutcome.SecretUnreadable => "Your authenticator cannot be checked on this server right now. Enter your password instead.",
            TotpCheckOutcome.NotEnrolled => "You have no authenticator set up. Enter your password instead.",
            _ => "That is neither your password nor a current code from your app.",
        });
    }

    /// <summary>
    /// Removes the owner's authenticator (after <see cref="ReauthenticateAsync"/>); the recovery codes
    /// go too when no passkey is left. Refused when the policy requires a second factor for the
    /// user's role and the authenticator is the last one.
    /// </summary>
    public async Task<UserChangeResult> DisableAsync(AuditActor actor, string userId, CancellationToken cancellationToken = default)
    {
        var policy = await policyService.GetAsync(cancellationToken);
        await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.BeginWriteLockedTransactionAsync(cancellationToken);
        var user = await db.Users.SingleAsync(u => u.Id == userId, cancellationToken);
        var isAdmin = await UserAdminService.AdminIds(db).ContainsAsync(userId, cancellationToken);
        var others = (await SecondFactors.OfAsync(db, userId, cancellationToken)).Passkeys;
        if (policy.RequiresMfa(isAdmin) && others == 0)
        {
            return UserChangeResult.Refused("The MFA policy requires two-factor sign-in for your account, so it cannot be turned off. You can move it to a new phone.");
        }

        user.ForgetAuthenticator();
        user.ConcurrencyStamp = Guid.NewGuid().ToString("N");
        await SecondFactors.SettleAsync(db, user, cancellationToken);
        auditLog.Add(db, actor, AuditActions.MfaDisabled, user.Email, others == 0 ? ["Authenticator", "RecoveryCodes"] : ["Authenticator"]);
        AddNotice(db, SecurityNotices.MfaDisabled(user.Email, timeProvider.GetUtcNow().UtcDateTime));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return UserChangeResult.Success;
    }

    public async Task<MfaStatus> GetStatusAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Id == userId, cancellationToken);
        if (user is not { TotpSecret.IsStored: true, TotpDigits: { } digits, TotpPeriodSeconds: { } period, TotpAlgorithm: { } algorithm })
        {
            return MfaStatus.NotEnrolled;
        }

        var unused = await db.RecoveryCodes.CountAsync(c => c.UserId == userId && c.UsedAtUtc == null, cancellationToken);
        var readable = sealer.Status(user.TotpSecret, SecretPlace(db, userId)) is SecretStatus.Set;
        return new MfaStatus(true, user.TotpSecret.UpdatedAtUtc, new TotpParameters(digits, period, algorithm), unused, readable);
    }

    /// <summary>Whether the user's stored secret can be opened, so the sign-in page can point to recovery codes first.</summary>
    public async Task<bool> IsSecretReadableAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
        var stored = await db.Users.Where(u => u.Id == userId).Select(u => u.TotpSecret).SingleOrDefaultAsync(cancellationToken);
        return stored is not null && sealer.Status(stored, SecretPlace(db, userId)) is SecretStatus.Set;
    }

    /// <summary>
    /// Records a used authenticator code refused (nothing else changes) and tells the owner: someone
    /// who saw a code may know the password too.
    /// </summary>
    public async Task RecordReplayedCodeAsync(AuditActor actor, string? email, CancellationToken cancellationToken = default)
    {
        await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
        auditLog.Add(db, actor, AuditActions.MfaCodeReplayed, email);
        AddNotice(db, SecurityNotices.MfaCodeReplayed(email, timeProvider.GetUtcNow().UtcDateTime));
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// Uses a recovery code: true once per code, also when two requests race with it. The use is
    /// audited and the owner told in the transaction that marks the code used.
    /// </summary>
    public async Task<bool> RedeemRecoveryCodeAsync(AuditActor actor, string userId, string? code, CancellationToken cancellationToken = default)
    {
        var normalized = NormalizeRecoveryCode(code);
        if (normalized is null)
        {
            return false;
        }

        await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
        var unused = await db.RecoveryCodes.AsNoTracking().Where(c => c.UserId == userId && c.UsedAtUtc == null).ToListAsync(cancellationToken);
        var user = new SecretAdminUser { Id = userId };
        var match = unused.FirstOrDefault(c => _passwordHasher.VerifyHashedPassword(user, c.CodeHash, normalized) != PasswordVerificationResult.Failed);
        if (match is null)
        {
            return false;
        }

        var now = timeProvider.GetUtcNow().UtcDateTime;
        await using var transaction = await db.BeginWriteLockedTransactionAsync(cancellationToken);
        var used = await db.RecoveryCodes
            .Where(c => c.Id == match.Id && c.UsedAtUtc == null)
            .ExecuteUpdateAsync(set => set.SetProperty(c => c.UsedAtUtc, now), cancellationToken);
        if (used != 1)
        {
            return false;
        }

        var email = await db.Users.Where(u => u.Id == userId).Select(u => u.Email).SingleAsync(cancellationToken);
        var left = await db.RecoveryCodes.CountAsync(c => c.UserId == userId && c.UsedAtUtc == null, cancellationToken);
        auditLog.Add(db, actor, AuditActions.RecoveryCodeUsed, email);
        AddNotice(db, SecurityNotices.RecoveryCodeUsed(email, now, left));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>Replaces the user's recovery codes with ten new ones, shown once.</summary>
    public async Task<IReadOnlyList<string>> RegenerateRecoveryCodesAsync(AuditActor actor, string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.BeginWriteLockedTransactionAsync(cancellationToken);
        var email = await db.Users.Where(u => u.Id == userId).Select(u => u.Email).SingleAsync(cancellationToken);
        var codes = await ReplaceRecoveryCodesAsync(db, userId, cancellationToken);
        auditLog.Add(db, actor, AuditActions.RecoveryCodesRegenerated, email, ["RecoveryCodes"]);
        AddNotice(db, SecurityNotices.RecoveryCodesRegenerated(email, timeProvider.GetUtcNow().UtcDateTime));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return codes;
    }

    /// <summary>The user's second factors (<see cref="SecondFactors"/>).</summary>
    public async Task<SecondFactorSet> FactorsAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
        return await SecondFactors.OfAsync(db, userId, cancellationToken);
    }

    public async Task<int> CountUnusedRecoveryCodesAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
        return await db.RecoveryCodes.CountAsync(c => c.UserId == userId && c.UsedAtUtc == null, cancellationToken);
    }

    /// <summary>Upper case, without the dash and spaces people type; null when it cannot be a recovery code.</summary>
    public static string? NormalizeRecoveryCode(string? code)
    {
        var compact = code?.Replace("-", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal).Trim().ToUpperInvariant();
        return compact is { Length: 10 } && compact.All(RecoveryAlphabet.Contains) ? compact : null;
    }

    private async Task<IReadOnlyList<string>> ReplaceRecoveryCodesAsync(SecretAdminDbContext db, string userId, CancellationToken cancellationToken)
    {
        await db.RecoveryCodes.Where(c => c.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        var now = timeProvider.GetUtcNow().UtcDateTime;
        var user = new SecretAdminUser { Id = userId };
        var codes = Enumerable.Range(0, RecoveryCodeCount).Select(_ => RandomNumberGenerator.GetString(RecoveryAlphabet, 10)).ToArray();
        db.RecoveryCodes.AddRange(codes.Select(code => new RecoveryCode { UserId = userId, CodeHash = _passwordHasher.HashPassword(user, code), CreatedAtUtc = now }));
        return codes.Select(c => $"{c[..5]}-{c[5..]}").ToArray();
    }

    private void AddNotice(SecretAdminDbContext db, OutgoingMail? notice)
    {
        if (notice is not null)
        {
            outbox.Add(db, notice);
        }
    }

    private static string Base32(byte[] secret) => OtpNet.Base32Encoding.ToString(secret);

    private static SealedPlace SecretPlace(SecretAdminDbContext db, string userId) =>
        SealedColumn.For<SecretAdminUser>(db.Model, nameof(SecretAdminUser.TotpSecret)).At(userId);

    // The column is the model's, the same for the app's life: found once, not with a context per sign-in.
    private SealedColumn? _totpSecretColumn;

    private SealedPlace TotpSecretPlace(string userId)
    {
        if (_totpSecretColumn is null)
        {
            using var db = dbContextFactory.CreateDbContext();
            _totpSecretColumn = SealedColumn.For<SecretAdminUser>(db.Model, nameof(SecretAdminUser.TotpSecret));
        }

        return _totpSecretColumn.At(userId);
    }
}
