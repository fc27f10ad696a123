using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SecretAdmin.Data;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Smtp;
using SecretAdmin.Security;

namespace SecretAdmin.Features.Mail;

/// <summary>
/// Delivers queued mail with the saved SMTP settings, one mail at a time per node: it claims a due
/// mail (so no other node sends it meanwhile), sends it, and records the outcome. A failed attempt is
/// tried again after a delay that doubles each time; a refusal for good, or too many attempts, fails
/// it. A process stopped mid-send leaves its claim, which lapses, so the mail is sent later.
/// </summary>
public sealed class OutboxSender(
    IDbContextFactory<SecretAdminDbContext> dbContextFactory,
    SmtpSettingsService smtp,
    SecretSealer sealer,
    AuditLog auditLog,
    OutboxSignal signal,
    OutboxMonitor monitor,
    IOptions<MailOptions> options,
    TimeProvider timeProvider,
    ILogger<OutboxSender> logger) : BackgroundService
{
    /// <summary>Who the audit log says sent or gave up a mail.</summary>
    public static readonly AuditActor Actor = new("outbox", null);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SendDueAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is DbUpdateException or InvalidOperationException or System.Data.Common.DbException)
            {
                // The database is away for a moment; the mail waits in it.
                logger.LogWarning("The outbox could not be read or updated ({Error}); it is tried again shortly.", e.GetType().Name);
            }

            try
            {
                await signal.WaitAsync(options.Value.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Sends every mail that is due now; the number sent or given up.</summary>
    public async Task<int> SendDueAsync(CancellationToken cancellationToken)
    {
        var handled = 0;
        while (await ClaimNextAsync(cancellationToken) is { } mail)
        {
            await DeliverAsync(mail, cancellationToken);
            handled++;
            monitor.Changed();
        }

        return handled;
    }

    private async Task<OutboxMail?> ClaimNextAsync(CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow().UtcDateTime;
        await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
        var candidates = await db.OutboxMails
            .Where(m => m.Status == OutboxStatus.Queued && m.NextAttemptAtUtc <= now && (m.ClaimedUntilUtc == null || m.ClaimedUntilUtc < now))
            .OrderBy(m => m.NextAttemptAtUtc).ThenBy(m => m.Id)
            .Select(m => m.Id)
            .Take(5)
            .ToListAsync(cancellationToken);
        var until = now + options.Value.ClaimDuration;
        foreach (var id in candidates)
        {
            // Claimed only if no other node claimed it since it was read.
            var claimed = await db.OutboxMails
                .Where(m => m.Id == id && m.Status == OutboxStatus.Queued && (m.ClaimedUntilUtc == null || m.ClaimedUntilUtc < now))
                .ExecuteUpdateAsync(set => set.SetProperty(m => m.ClaimedUntilUtc, until), cancellationToken);
            if (claimed == 1)
            {
                return await db.OutboxMails.AsNoTracking().SingleAsync(m => m.Id == id, cancellationToken);
            }
        }

        return null;
    }

    private async Task DeliverAsync(OutboxMail mail, CancellationToken cancellationToken)
    {
        await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
        var body = OpenBody(db, mail, out var unreadable);
        var delivery = body is null
            ? new MailDelivery(false, null, $"The mail's sealed body cannot be opened ({unreadable}).", "The Keys page says why.", false)
            : await smtp.SendAsync(mail.Recipient, mail.Subject, body, cancellationToken);

        var now = timeProvider.GetUtcNow().UtcDateTime;
        var settings = options.Value;
        var row = await db.OutboxMails.SingleAsync(m => m.Id == mail.Id, cancellationToken);
        row.Attempts++;
        row.LastAttemptAtUtc = now;
        row.ClaimedUntilUtc = null;
        if (delivery.Delivered)
        {
            row.Status = OutboxStatus.Sent;
            row.SentAtUtc = now;
            row.LastError = null;

            // Its content is not needed any more: a link with a token does not stay at rest.
            row.Body = null;
            row.SealedBody.Clear(now, Actor.Name);
            auditLog.Add(db, Actor, AuditActions.MailSent, mail.Recipient, reason: mail.Kind);
        }
        else
        {
            row.LastError = Shorten(delivery.FailedStep is { } step ? $"{MailDelivery.NameOf(step)}: {delivery.Message}" : delivery.Message);
            if (delivery.Permanent || row.Attempts >= settings.MaxAttempts)
            {
                row.Status = OutboxStatus.Failed;
                auditLog.Add(db, Actor, AuditActions.MailFailed, mail.Recipient, reason: $"{mail.Kind}: {row.LastError}");
            }
            else
            {
                row.NextAttemptAtUtc = now + RetryDelay(row.Attempts, settings);
            }
        }

        // Recorded even if the node is stopping: the server already has the mail.
        await db.SaveChangesAsync(CancellationToken.None);
        logger.LogInformation("Outbox mail {Id} ({Kind}): {Outcome} after {Attempts} attempt(s).", mail.Id, mail.Kind, row.Status, row.Attempts);
    }

    private string? OpenBody(SecretAdminDbContext db, OutboxMail mail, out string? unreadable)
    {
        unreadable = null;
        if (!mail.SealedBody.IsStored)
        {
            return mail.Body;
        }

        var place = SealedColumn.For<OutboxMail>(db.Model, nameof(OutboxMail.SealedBody)).At(mail.Id);
        string? why = null;
        var body = sealer.Open(mail.SealedBody, place).Match<string?>(() => null, present => present.Value, u =>
        {
            why = u.Description;
            return null;
        });
        unreadable = why;
        return body;
    }

    /// <summary>After attempt <paramref name="attempts"/>: the first delay, doubled each time, at most the longest.</summary>
    public static TimeSpan RetryDelay(int attempts, MailOptions options)
    {
        var doubled = options.FirstRetryDelay * Math.Pow(2, Math.Min(attempts - 1, 20));
        return doubled < options.MaxRetryDelay ? doubled : options.MaxRetryDelay;
    }

    private static string Shorten(string text) => text.Length <= 1000 ? text : string.Concat(text.AsSpan(0, 999), "…");
}
