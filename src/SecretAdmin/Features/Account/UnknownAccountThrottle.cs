using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SecretAdmin.Data;
using SecretAdmin.Security;

namespace SecretAdmin.Features.Account;

/// <summary>
/// Counts failed sign-ins for emails that have no account and "locks" them like real accounts,
/// so the lockout page never tells whether an email exists. The counts are in the database, so
/// behind several nodes an unknown email locks after as many failures as an account does.
/// </summary>
/// <remarks>
/// Emails are kept as keyed fingerprints under the active data key: after a rotation the counts
/// so far are no longer found (at most one lockout's worth of attempts more). While no key is
/// loaded nothing is counted; nobody signs in to an account with a second factor then either.
/// </remarks>
public sealed class UnknownAccountThrottle(
    IDbContextFactory<SecretAdminDbContext> dbContextFactory, SecretSealer sealer, IOptions<IdentityOptions> identityOptions, TimeProvider timeProvider)
{
    private const string Purpose = "unknown account email";

    /// <summary>A count not added to for this long is forgotten, so the table cannot grow without end.</summary>
    private static readonly TimeSpan Forgotten = TimeSpan.FromDays(1);

    public async Task<bool> IsLockedOutAsync(string email, CancellationToken cancellationToken = default)
    {
        if (FingerprintOf(email) is not { } fingerprint)
        {
            return false;
        }

        var now = timeProvider.GetUtcNow().UtcDateTime;
        await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
        return await db.UnknownAccountFailures.AnyAsync(f => f.Fingerprint == fingerprint && f.LockedUntilUtc > now, cancellationToken);
    }

    /// <summary>Records a failure; true when it locks the email out.</summary>
    public async Task<bool> RecordFailureAsync(string email, CancellationToken cancellationToken = default)
    {
        if (FingerprintOf(email) is not { } fingerprint)
        {
            return false;
        }

        var lockout = identityOptions.Value.Lockout;
        var now = timeProvider.GetUtcNow().UtcDateTime;
        await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.BeginWriteLockedTransactionAsync(cancellationToken);
        var entry = await db.UnknownAccountFailures.SingleOrDefaultAsync(f => f.Fingerprint == fingerprint, cancellationToken);
        if (entry is null)
        {
            // A new row: the forgotten ones go first, so the table holds about a day of unknown emails.
            var forgottenBefore = now - Forgotten;
            await db.UnknownAccountFailures.Where(f => f.LastFailureAtUtc < forgottenBefore).ExecuteDeleteAsync(cancellationToken);
            entry = new UnknownAccountFailure { Fingerprint = fingerprint };
            db.UnknownAccountFailures.Add(entry);
        }

        // Locked by another failure since this one's caller looked: answered as locked, as a real
        // account answers an attempt that finds it locked, and not counted.
        var locked = entry.LockedUntilUtc > now;
        if (!locked)
        {
            entry.Failures++;
            entry.LastFailureAtUtc = now;
            if (entry.Failures >= lockout.MaxFailedAccessAttempts)
            {
                entry.Failures = 0;
                entry.LockedUntilUtc = now + lockout.DefaultLockoutTimeSpan;
                locked = true;
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return locked;
    }

    private string? FingerprintOf(string email) => sealer.Fingerprint(email.Trim().ToUpperInvariant(), Purpose);
}
