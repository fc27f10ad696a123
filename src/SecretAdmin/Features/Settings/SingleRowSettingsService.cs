using Microsoft.EntityFrameworkCore;
using SecretAdmin.Data;
using SecretAdmin.Features.Audit;
using SecretAdmin.Security;

namespace SecretAdmin.Features.Settings;

/// <summary>
/// Reading and saving one settings row: a save is validated, applied, sealed, audited and saved
/// in one transaction, and refused when it started from an older version.
/// </summary>
public abstract class SingleRowSettingsService<TRow>(
    IDbContextFactory<SecretAdminDbContext> dbContextFactory,
    SecretSealer sealer,
    AuditLog auditLog,
    SettingsChangeNotifier notifier,
    TimeProvider timeProvider)
    where TRow : class, ISingleRowSettings, new()
{
    protected abstract SettingsArea Area { get; }

    protected abstract string AuditAction { get; }

    protected abstract string AuditTarget { get; }

    protected SecretSealer Sealer => sealer;

    protected AuditLog AuditLog => auditLog;

    protected async Task<TView> ReadAsync<TView>(Func<SecretAdminDbContext, TRow, TView> map, CancellationToken cancellationToken)
    {
        await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
        var row = await db.Set<TRow>().AsNoTracking().SingleOrDefaultAsync(cancellationToken) ?? new TRow();
        return map(db, row);
    }

    /// <param name="validate">The form's messages per field, given the stored row; empty when valid.</param>
    /// <param name="apply">Copies the form onto the row, recording each changed field.</param>
    protected async Task<SettingsSaveResult> SaveCoreAsync(
        AuditActor actor,
        long expectedVersion,
        Func<SecretAdminDbContext, TRow, IReadOnlyDictionary<string, string[]>> validate,
        Action<SecretAdminDbContext, TRow, FieldChanges, DateTime> apply,
        CancellationToken cancellationToken)
    {
        await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
        var row = await db.Set<TRow>().SingleOrDefaultAsync(cancellationToken);
        var isNew = row is null;
        row ??= new TRow();
        if (row.Version != expectedVersion)
        {
            return SettingsSaveResult.Conflict();
        }

        var errors = validate(db, row);
        if (errors.Count > 0)
        {
            return SettingsSaveResult.Invalid(errors);
        }

        var now = timeProvider.GetUtcNow().UtcDateTime;
        var changes = new FieldChanges();
        apply(db, row, changes, now);
        if (!changes.Any)
        {
            return SettingsSaveResult.Saved(row.Version);
        }

        row.Version++;
        row.UpdatedAtUtc = now;
        row.UpdatedBy = actor.Name;
        if (isNew)
        {
            db.Set<TRow>().Add(row);
        }

        auditLog.Add(db, actor, AuditAction, AuditTarget, changes.Names);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return SettingsSaveResult.Conflict();
        }
        catch (DbUpdateException e) when (isNew && e.InnerException is Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 19 })
        {
            // Two first saves of the single row: its primary key keeps the second out.
            return SettingsSaveResult.Conflict();
        }

        notifier.Announce(Area);
        return SettingsSaveResult.Saved(row.Version);
    }

    /// <summary>
    /// Applies a secret change: seals a typed value for its place, or clears it; keeping it does
    /// nothing. Records who changed it and when.
    /// </summary>
    protected void ApplySecret(
        FieldChanges changes,
        string field,
        SecretChange change,
        string? stored,
        SealedPlace place,
        Action<string?, DateTime, string> store,
        DateTime now,
        string actorName)
    {
        switch (change.Kind)
        {
            case SecretChangeKind.Replace:
                store(sealer.Seal(change.NewValue!, place), now, actorName);
                changes.Add(field);
                break;
            case SecretChangeKind.Clear when stored is not null:
                store(null, now, actorName);
                changes.Add(field);
                break;
        }
    }
}
