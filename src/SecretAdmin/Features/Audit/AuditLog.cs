using Microsoft.EntityFrameworkCore;
using SecretAdmin.Data;

namespace SecretAdmin.Features.Audit;

/// <summary>Writes and reads the append-only audit log.</summary>
public sealed class AuditLog(IDbContextFactory<SecretAdminDbContext> dbContextFactory, TimeProvider timeProvider)
{
    public const int MaxPageSize = 200;

    /// <summary>Adds an entry to <paramref name="db"/>, to be saved with the change it records.</summary>
    public void Add(SecretAdminDbContext db, AuditActor actor, string action, string? target = null, IEnumerable<string>? changedFields = null, string? reason = null) =>
        db.AuditEntries.Add(Create(actor, action, target, changedFields, reason));

    /// <summary>Writes an entry on its own, for events that change nothing else (a sign-in, a failure).</summary>
    public async Task WriteAsync(AuditActor actor, string action, string? target = null, IEnumerable<string>? changedFields = null, string? reason = null, CancellationToken cancellationToken = default)
    {
        await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
        Add(db, actor, action, target, changedFields, reason);
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<AuditPage> SearchAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
        var entries = db.AuditEntries.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(query.Actor))
        {
            var actor = query.Actor.Trim();
            entries = entries.Where(e => e.Actor.Contains(actor));
        }

        if (!string.IsNullOrWhiteSpace(query.Action))
        {
            entries = entries.Where(e => e.Action == query.Action);
        }

        if (query.FromUtc is { } from)
        {
            entries = entries.Where(e => e.OccurredAtUtc >= from);
        }

        if (query.ToUtc is { } to)
        {
            entries = entries.Where(e => e.OccurredAtUtc < to);
        }

        var pageSize = Math.Clamp(query.PageSize, 1, MaxPageSize);
        var total = await entries.CountAsync(cancellationToken);
        var items = await entries
            .OrderByDescending(e => e.OccurredAtUtc).ThenByDescending(e => e.Id)
            .Skip(Math.Max(query.Page, 0) * pageSize)
            .Take(pageSize)
            .ToListAsync(cancellationToken);
        return new AuditPage(items, total);
    }

    private AuditEntry Create(AuditActor actor, string action, string? target, IEnumerable<string>? changedFields, string? reason)
    {
        if (!AuditActions.All.Contains(action, StringComparer.Ordinal))
        {
            throw new ArgumentException($"'{action}' is not an audit action; add it to {nameof(AuditActions)}.", nameof(action));
        }

        // A reason may quote a server's answer: one longer than its column is shortened, on every
        // engine alike (PostgreSQL would refuse the whole save; SQLite does not check lengths).
        if (reason is { Length: > AuditEntry.MaxReasonLength })
        {
            reason = string.Concat(reason.AsSpan(0, AuditEntry.MaxReasonLength - 1), "…");
        }

        return new AuditEntry
        {
            OccurredAtUtc = timeProvider.GetUtcNow().UtcDateTime,
            Actor = actor.Name,
            Action = action,
            Target = target,
            ChangedFields = AuditFields.Join(changedFields),
            Reason = reason,
            ClientIp = actor.ClientIp,
        };
    }
}
