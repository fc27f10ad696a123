using Microsoft.EntityFrameworkCore;
using SecretAdmin.Data;
using SecretAdmin.Features.Users;

namespace SecretAdmin.Features.Mfa;

/// <summary>Which second factors a user has: an authenticator app, passkeys, and the recovery codes left.</summary>
public sealed record SecondFactorSet(bool Authenticator, int Passkeys, int UnusedRecoveryCodes)
{
    public static SecondFactorSet None { get; } = new(false, 0, 0);

    /// <summary>Whether a sign-in with the password asks for a second step.</summary>
    public bool Any => Authenticator || Passkeys > 0;

    /// <summary>Short names for a list: "Authenticator app", "2 passkeys".</summary>
    public IReadOnlyList<string> Names =>
    [
        .. Authenticator ? ["Authenticator app"] : Array.Empty<string>(),
        .. Passkeys switch { 0 => Array.Empty<string>(), 1 => ["Passkey"], var n => [$"{n} passkeys"] },
    ];
}

/// <summary>
/// The questions the rest of the console asks about second factors, whichever they are: does a
/// user have one, which, and remove them all. <c>TwoFactorEnabled</c> on the user's row is kept
/// equal to "has one", so Identity's password sign-in asks for the second step exactly then.
/// </summary>
public static class SecondFactors
{
    /// <summary>One user's factors in one query (sign-in and the account steps ask at every request).</summary>
    public static async Task<SecondFactorSet> OfAsync(SecretAdminDbContext db, string userId, CancellationToken cancellationToken = default) =>
        await FactorsOf.For(db)(db, userId, cancellationToken) ?? SecondFactorSet.None;

    // Asked at every sign-in step and account request.
    private static readonly CompiledQuery<Func<SecretAdminDbContext, string, CancellationToken, Task<SecondFactorSet?>>> FactorsOf = new(() =>
        EF.CompileAsyncQuery((SecretAdminDbContext db, string userId, CancellationToken cancellationToken) =>
            db.Users.Where(u => u.Id == userId)
                .Select(u => new SecondFactorSet(
                    u.TotpSecret.Envelope != null,
                    db.Passkeys.Count(p => p.UserId == userId),
                    db.RecoveryCodes.Count(c => c.UserId == userId && c.UsedAtUtc == null)))
                .SingleOrDefault()));

    /// <summary>The factors of several users in three queries (the users page).</summary>
    public static async Task<IReadOnlyDictionary<string, SecondFactorSet>> OfAsync(SecretAdminDbContext db, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken = default)
    {
        var authenticators = await db.Users.Where(u => userIds.Contains(u.Id) && u.TotpSecret.Envelope != null).Select(u => u.Id).ToListAsync(cancellationToken);
        var passkeys = await db.Passkeys.Where(p => userIds.Contains(p.UserId)).GroupBy(p => p.UserId)
            .Select(g => new { UserId = g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.UserId, g => g.Count, cancellationToken);
        var codes = await db.RecoveryCodes.Where(c => userIds.Contains(c.UserId) && c.UsedAtUtc == null).GroupBy(c => c.UserId)
            .Select(g => new { UserId = g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.UserId, g => g.Count, cancellationToken);
        return userIds.Distinct().ToDictionary(
            id => id,
            id => new SecondFactorSet(authenticators.Contains(id), passkeys.GetValueOrDefault(id), codes.GetValueOrDefault(id)));
    }

    /// <summary>Whether the user has an authenticator or a passkey.</summary>
    public static Task<bool> HasAnyAsync(SecretAdminDbContext db, string userId, CancellationToken cancellationToken = default) =>
        db.Users.AnyAsync(u => u.Id == userId && (u.TotpSecret.Envelope != null || db.Passkeys.Any(p => p.UserId == userId)), cancellationToken);

    /// <summary>
    /// Removes every second factor of <paramref name="user"/> (tracked by <paramref name="db"/>) in the
    /// caller's transaction: the authenticator, the recovery codes and the passkeys.
    /// </summary>
    public static async Task RemoveAllAsync(SecretAdminDbContext db, SecretAdminUser user, CancellationToken cancellationToken = default)
    {
        user.ForgetAuthenticator();
        user.TwoFactorEnabled = false;
        await db.RecoveryCodes.Where(c => c.UserId == user.Id).ExecuteDeleteAsync(cancellationToken);
        await db.Passkeys.Where(p => p.UserId == user.Id).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>
    /// After one factor was removed: recovery codes go with the last factor (they are a way back to
    /// one), and the row says whether a second step is still asked for.
    /// </summary>
    public static async Task SettleAsync(SecretAdminDbContext db, SecretAdminUser user, CancellationToken cancellationToken = default)
    {
        var hasAuthenticator = user.TotpSecret.IsStored;
        var hasPasskey = await db.Passkeys.AnyAsync(p => p.UserId == user.Id, cancellationToken);
        user.TwoFactorEnabled = hasAuthenticator || hasPasskey;
        if (!user.TwoFactorEnabled)
        {
            await db.RecoveryCodes.Where(c => c.UserId == user.Id).ExecuteDeleteAsync(cancellationToken);
        }
    }
}
