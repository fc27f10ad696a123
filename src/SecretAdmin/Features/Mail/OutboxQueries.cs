using Microsoft.EntityFrameworkCore;
using SecretAdmin.Data;
using SecretAdmin.Features.Audit;

namespace SecretAdmin.Features.Mail;

/// <summary>The Mail page's reads and its one action: what is queued, sent and failed — never a body — and sending a failed mail again.</summary>
public sealed class OutboxQueries(IDbContextFactory<SecretAdminDbContext> dbContextFactory, AuditLog auditLog, OutboxSignal signal, OutboxMonitor monitor, TimeProvider timeProvider)
{
    public const int PageSize = 50;

    public async Task<IReadOnlyList<OutboxEntry>> ListAsync(OutboxStatus? status, CancellationToken cancellationToken = default)
    {
        await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
        var mails = db.OutboxMails.AsNoTracking();
        if (status is { } only)
        {
            mails = mails.Where(m => m.Status == only);
        }

        return await mails
            .OrderByDescending(m => m.CreatedAtUtc).ThenByDescending(m => m.Id)
            .Take(PageSize)
            .Select(m => new OutboxEntry(m.Id, m.Kind, m.Recipient, m.Subject, m.Status, m.Attempts, m.CreatedAtUtc, m.NextAttemptAtUtc, m.SentAtUtc, m.LastError))
            .ToListAsync(cancellationToken);
    }

    /// <summary>Queues a failed mail again with its attempts counted from zero; false when it is not failed (any more).</summary>
    public async Task<bool> RetryAsync(AuditActor actor, string id, CancellationToken cancellationToken = default)
    {
        await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
        var now = timeProvider.GetUtcNow().UtcDateTime;
        var mail = await db.OutboxMails.SingleOrDefaultAsync(m => m.Id == id && m.Status == OutboxStatus.Failed, cancellationToken);
        if (mail is null)
        {
            return false;
        }

        mail.Status = OutboxStatus.Queued;
        mail.Attempts = 0;
        mail.NextAttemptAtUtc = now;
        auditLog.Add(db, actor, AuditActions.MailRetried, mail.Recipient, reason: mail.Kind);
        await db.SaveChangesAsync(cancellationToken);
        signal.Wake();
        monitor.Changed();
        return true;
    }
}
