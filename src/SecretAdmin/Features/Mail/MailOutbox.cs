using Microsoft.EntityFrameworkCore;
using SecretAdmin.Data;
using SecretAdmin.Features.Users;
using SecretAdmin.Security;

namespace SecretAdmin.Features.Mail;

/// <summary>
/// Queues mail in the transaction of the change that causes it: nothing is sent for a change that
/// is rolled back, and nothing is lost for one that is committed. A body with a token is sealed here.
/// </summary>
public sealed class MailOutbox(SecretSealer sealer, TimeProvider timeProvider, OutboxSignal signal)
{
    /// <summary>Adds <paramref name="mail"/> to <paramref name="db"/>, saved with the caller's changes; the sender is woken once they are.</summary>
    public void Add(SecretAdminDbContext db, OutgoingMail mail)
    {
        var now = timeProvider.GetUtcNow().UtcDateTime;
        var row = new OutboxMail
        {
            Kind = mail.Kind,
            Recipient = mail.Recipient,
            Subject = mail.Subject,
            CreatedAtUtc = now,
            NextAttemptAtUtc = now,
        };
        if (mail.CarriesToken)
        {
            var place = SealedColumn.For<OutboxMail>(db.Model, nameof(OutboxMail.SealedBody)).At(row.Id);
            row.SealedBody.Store(sealer.Seal(mail.Body, place), null, now, "outbox");
        }
        else
        {
            row.Body = mail.Body;
        }

        db.OutboxMails.Add(row);
        db.SavedChanges += Wake;

        void Wake(object? sender, Microsoft.EntityFrameworkCore.SavedChangesEventArgs e)
        {
            db.SavedChanges -= Wake;
            signal.Wake();
        }
    }

    /// <summary>
    /// Adds <paramref name="mail"/>'s mail for each enabled administrator with an email to <paramref name="db"/>,
    /// saved with the caller's changes; the administrators are read with the caller's context (in its transaction, if any).
    /// </summary>
    public async Task AddToAdministratorsAsync(SecretAdminDbContext db, Func<string, OutgoingMail> mail, CancellationToken cancellationToken = default)
    {
        var recipients = await db.Users
            .Where(u => u.Email != null && u.Email != "" && UserAdminService.EnabledAdminIds(db).Contains(u.Id))
            .OrderBy(u => u.Email)
            .Select(u => u.Email!)
            .ToListAsync(cancellationToken);
        foreach (var recipient in recipients)
        {
            Add(db, mail(recipient));
        }
    }
}
