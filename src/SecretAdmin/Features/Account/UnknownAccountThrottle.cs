using System.Collections.Concurrent;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace SecretAdmin.Features.Account;

/// <summary>
/// Counts failed sign-ins for emails that have no account and "locks" them like real accounts,
/// so the lockout page never tells whether an email exists.
/// </summary>
public sealed class UnknownAccountThrottle(IOptions<IdentityOptions> identityOptions, TimeProvider timeProvider)
{
    private const int MaxTracked = 10_000;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.OrdinalIgnoreCase);

    public bool IsLockedOut(string email) =>
        _entries.TryGetValue(email, out var entry) && entry.LockedUntil > timeProvider.GetUtcNow();

    /// <summary>Records a failure; true when it locks the email out.</summary>
    public bool RecordFailure(string email)
    {
        if (_entries.Count >= MaxTracked)
        {
            _entries.Clear();
        }

        var lockout = identityOptions.Value.Lockout;
        var now = timeProvider.GetUtcNow();
        var entry = _entries.AddOrUpdate(
            email,
            _ => new Entry(1, DateTimeOffset.MinValue),
            (_, e) => e.LockedUntil > now ? e : new Entry(e.Failures + 1, DateTimeOffset.MinValue));

        // Locked by another failure since this one's caller looked: answered as locked, as a real
        // account answers an attempt that finds it locked.
        if (entry.LockedUntil > now)
        {
            return true;
        }

        if (entry.Failures < lockout.MaxFailedAccessAttempts)
        {
            return false;
        }

        _entries[email] = new Entry(0, now + lockout.DefaultLockoutTimeSpan);
        return true;
    }

    private sealed record Entry(int Failures, DateTimeOffset LockedUntil);
}
