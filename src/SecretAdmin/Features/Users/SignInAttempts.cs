using Microsoft.EntityFrameworkCore;
using SecretAdmin.Data;
using SecretAdmin.Features.Mfa;

namespace SecretAdmin.Features.Users;

/// <summary>
/// Counts failed sign-in attempts — passwords, authenticator codes, recovery codes — in the user's
/// row so that no more than the lockout policy's number are ever checked before the lock, however
/// many arrive at once, in one process or several sharing the database.
/// </summary>
/// <remarks>
/// Identity's <c>UserManager.AccessFailedAsync</c> counts a failure after the check, by reading the
/// count, adding one and saving the user it loaded: attempts sent at the same instant are all
/// checked against the same count, and most of their saves are refused on the concurrency stamp
/// and lost. Here an attempt first claims a slot, before anything is checked: one conditional
/// UPDATE adds one to the count, and the UPDATE that takes the policy's last slot sets the lock in
/// the same statement (and starts the count again, as Identity does). Only an attempt that got a
/// slot is checked; one that finds the account locked is answered "locked out" unchecked. A right
/// answer gives its slot back (<see cref="SucceededAsync"/>, <see cref="WithdrawAsync"/>), so the
/// count still holds only failures. With at most max slots per lockout period, at most max attempts
/// are checked, whatever the timing.
/// Every change sets a new concurrency stamp, so Identity refuses to save a user loaded before it
/// and cannot write an older count or lock back. The SQL is plain UPDATE … SET … WHERE with integer
/// arithmetic and equality only (SQLite stores times as text and cannot compare them in order), so
/// it runs on SQLite and PostgreSQL alike.
/// </remarks>
public sealed class SignInAttempts(
    IDbContextFactory<SecretAdminDbContext> dbContextFactory,
    MfaPolicyService mfaPolicy,
    TimeProvider timeProvider,
    ILogger<SignInAttempts> logger)
{
    // Each round that claims nothing follows another attempt's change to the row; this many in a
    // row cannot happen while the statements match the row, so it is answered as locked, unchecked.
    private const int MaxRounds = 50;

    /// <summary>
    /// Claims a slot for one attempt of <paramref name="userId"/>. Check the answer only when
    /// <see cref="SignInAttempt.Granted"/>; then report a right answer with <see cref="SucceededAsync"/>
    /// (or <see cref="WithdrawAsync"/>). A wrong answer needs nothing more: it was counted here.
    /// </summary>
    public async Task<SignInAttempt> ClaimAsync(string userId, CancellationToken cancellationToken = default) =>
        await ClaimAsync(userId, known: null, await mfaPolicy.GetAsync(cancellationToken), cancellationToken);

    /// <summary>
    /// As <see cref="ClaimAsync(string, CancellationToken)"/>, for a sign-in that holds
    /// <paramref name="user"/>'s row, read a moment ago, and has read <paramref name="policy"/>: the
    /// first round starts from that row's lock instead of reading it again. The conditional UPDATEs
    /// still decide, so a row changed since it was read only costs a round.
    /// </summary>
    public Task<SignInAttempt> ClaimAsync(SecretAdminUser user, MfaPolicyView policy, CancellationToken cancellationToken = default) =>
        ClaimAsync(user.Id, new LockState(user.LockoutEnabled, user.LockoutEnd), policy, cancellationToken);

    private async Task<SignInAttempt> ClaimAsync(string userId, LockState? known, MfaPolicyView policy, CancellationToken cancellationToken)
    {
        var max = policy.MaxFailedAttempts;
        await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
        for (var round = 0; round < MaxRounds; round++)
        {
            var now = timeProvider.GetUtcNow();
            var row = round == 0 && known is not null
                ? known
                : await db.Users.AsNoTracking()
                    .Where(u => u.Id == userId)
                    .Select(u => new LockState(u.LockoutEnabled, u.LockoutEnd))
                    .SingleOrDefaultAsync(cancellationToken);
            if (row is null || (row.LockoutEnabled && row.LockoutEnd > now))
            {
                return SignInAttempt.Refused(userId);
            }

            if (!row.LockoutEnabled)
            {
                return new SignInAttempt(userId, Granted: true, Counted: false, max, LockedUntil: null, row.LockoutEnd);
            }

            // Both statements apply only while the lock is what was just read (not locked now), so
            // an attempt never counts into a lock another one has set meanwhile.
            var seen = row.LockoutEnd;
            var counted = await CountOneAsync(db, userId, seen, max, cancellationToken);
            if (counted == 1)
            {
                return new SignInAttempt(userId, Granted: true, Counted: true, max, LockedUntil: null, seen);
            }

            var until = now.AddMinutes(policy.LockoutMinutes);
            var locked = await db.Users
                .Where(u => u.Id == userId && u.LockoutEnabled && u.LockoutEnd == seen && u.AccessFailedCount + 1 >= max)
                .ExecuteUpdateAsync(set => set
                    .SetProperty(u => u.AccessFailedCount, 0)
                    .SetProperty(u => u.LockoutEnd, until)
                    .SetProperty(u => u.ConcurrencyStamp, NewStamp()), cancellationToken);
            if (locked == 1)
            {
                return new SignInAttempt(userId, Granted: true, Counted: true, max, until, seen);
            }

            // Between the two statements (or since the row the caller held was read) another attempt
            // locked the account, a right answer started the count again, or lockout was turned off
            // for the user: read the row once more and claim again.
        }

        logger.LogWarning("No sign-in attempt slot could be claimed for user {UserId} in {Rounds} rounds; the attempt was refused unchecked.", userId, MaxRounds);
        return SignInAttempt.Refused(userId);
    }

    /// <summary>
    /// The attempt's answer was right: the count starts again, and a lock this attempt's own slot set
    /// is lifted (a lock set by another attempt stays).
    /// </summary>
    public async Task SucceededAsync(SignInAttempt attempt, CancellationToken cancellationToken = default)
    {
        if (attempt.LockedUntil is { } until)
        {
            await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
            await db.Users
                .Where(u => u.Id == attempt.UserId && u.LockoutEnd == until)
                .ExecuteUpdateAsync(set => set
                    .SetProperty(u => u.AccessFailedCount, 0)
                    .SetProperty(u => u.LockoutEnd, (DateTimeOffset?)null)
                    .SetProperty(u => u.ConcurrencyStamp, NewStamp()), cancellationToken);
            return;
        }

        await ResetAsync(attempt.UserId, cancellationToken);
    }

    /// <summary>
    /// The attempt's answer was right and completes a sign-in: as <see cref="SucceededAsync"/>, with
    /// the sign-in's time recorded in the same UPDATE (one write, where a sign-in has several).
    /// </summary>
    public async Task SignedInAsync(SignInAttempt attempt, CancellationToken cancellationToken = default)
    {
        var now = timeProvider.GetUtcNow().UtcDateTime;
        await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
        if (attempt.LockedUntil is not null)
        {
            // The attempt took the last slot: the lock it set is lifted apart (rare; see SucceededAsync).
            await SucceededAsync(attempt, cancellationToken);
            await db.Users.Where(u => u.Id == attempt.UserId).ExecuteUpdateAsync(set => set.SetProperty(u => u.LastSignInAtUtc, now), cancellationToken);
            return;
        }

        // As ResetAsync: a new stamp only when the count changes. SQL, not ExecuteUpdate, as in
        // TotpStepLedger: it runs at every sign-in (names from the model, values as parameters).
        var count = db.Column<SecretAdminUser>(nameof(SecretAdminUser.AccessFailedCount));
        var stamp = db.Column<SecretAdminUser>(nameof(SecretAdminUser.ConcurrencyStamp));
        var signedIn = $"UPDATE {db.Table<SecretAdminUser>()} SET {db.Column<SecretAdminUser>(nameof(SecretAdminUser.LastSignInAtUtc))} = {{0}}, " +
            $"{count} = 0, {stamp} = CASE WHEN {count} > 0 THEN {{1}} ELSE {stamp} END " +
            $"WHERE {db.Column<SecretAdminUser>(nameof(SecretAdminUser.Id))} = {{2}}";
        await db.Database.ExecuteSqlRawAsync(signedIn, [now, NewStamp(), attempt.UserId], cancellationToken);
    }

    /// <summary>
    /// The attempt's answer was right but does not finish the sign-in (a password, with a second
    /// factor still to come): the attempt counts neither way, as in Identity — it gives its slot
    /// back without starting the count again, so only a second factor does that.
    /// </summary>
    public async Task WithdrawAsync(SignInAttempt attempt, CancellationToken cancellationToken = default)
    {
        if (!attempt.Counted)
        {
            return;
        }

        await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
        if (attempt.LockedUntil is { } until)
        {
            await db.Users
                .Where(u => u.Id == attempt.UserId && u.LockoutEnd == until)
                .ExecuteUpdateAsync(set => set
                    .SetProperty(u => u.AccessFailedCount, attempt.MaxFailedAttempts - 1)
                    .SetProperty(u => u.LockoutEnd, attempt.LockoutEndBefore)
                    .SetProperty(u => u.ConcurrencyStamp, NewStamp()), cancellationToken);
            return;
        }

        await GiveOneBackAsync(db, attempt.UserId, attempt.LockoutEndBefore, cancellationToken);
    }

    /// <summary>Starts the count of failed attempts again (after a completed sign-in); a lock stays.</summary>
    public async Task ResetAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
        await db.Users
            .Where(u => u.Id == userId && u.AccessFailedCount > 0)
            .ExecuteUpdateAsync(set => set
                .SetProperty(u => u.AccessFailedCount, 0)
                .SetProperty(u => u.ConcurrencyStamp, NewStamp()), cancellationToken);
    }

    private static string NewStamp() => Guid.NewGuid().ToString();

    // The two statements every sign-in runs (a password's claim and its withdrawal, the second
    // factor's claim) are SQL, not ExecuteUpdate, as in SignedInAsync and TotpStepLedger: EF Core
    // builds and looks up an ExecuteUpdate's expression at each call. Plain UPDATE … SET … WHERE
    // (see the class's remarks); names from the model, values as parameters.

    /// <summary>Adds one to the count while the lock is <paramref name="seen"/> and the slot is not the last.</summary>
    private static Task<int> CountOneAsync(SecretAdminDbContext db, string userId, DateTimeOffset? seen, int max, CancellationToken cancellationToken)
    {
        var count = db.Column<SecretAdminUser>(nameof(SecretAdminUser.AccessFailedCount));
        var sql = $"UPDATE {db.Table<SecretAdminUser>()} SET {count} = {count} + 1, {db.Column<SecretAdminUser>(nameof(SecretAdminUser.ConcurrencyStamp))} = {{0}} " +
            $"WHERE {db.Column<SecretAdminUser>(nameof(SecretAdminUser.Id))} = {{1}} AND {db.Column<SecretAdminUser>(nameof(SecretAdminUser.LockoutEnabled))} " +
            $"AND {count} + 1 < {{2}} AND {LockoutEndIs(db, seen, 3)}";
        return db.Database.ExecuteSqlRawAsync(sql, seen is null ? [NewStamp(), userId, max] : [NewStamp(), userId, max, seen.Value], cancellationToken);
    }

    /// <summary>Takes one from the count (never below zero) while the lock is <paramref name="before"/>.</summary>
    private static Task<int> GiveOneBackAsync(SecretAdminDbContext db, string userId, DateTimeOffset? before, CancellationToken cancellationToken)
    {
        var count = db.Column<SecretAdminUser>(nameof(SecretAdminUser.AccessFailedCount));
        var sql = $"UPDATE {db.Table<SecretAdminUser>()} SET {count} = {count} - 1, {db.Column<SecretAdminUser>(nameof(SecretAdminUser.ConcurrencyStamp))} = {{0}} " +
            $"WHERE {db.Column<SecretAdminUser>(nameof(SecretAdminUser.Id))} = {{1}} AND {count} > 0 AND {LockoutEndIs(db, before, 2)}";
        return db.Database.ExecuteSqlRawAsync(sql, before is null ? [NewStamp(), userId] : [NewStamp(), userId, before.Value], cancellationToken);
    }

    /// <summary>The lock end's condition: IS NULL for no lock (= NULL is never true), else equal to parameter <paramref name="parameter"/>.</summary>
    private static string LockoutEndIs(SecretAdminDbContext db, DateTimeOffset? value, int parameter)
    {
        var column = db.Column<SecretAdminUser>(nameof(SecretAdminUser.LockoutEnd));
        return value is null ? $"{column} IS NULL" : $"{column} = {{{parameter}}}";
    }

    private sealed record LockState(bool LockoutEnabled, DateTimeOffset? LockoutEnd);
}
