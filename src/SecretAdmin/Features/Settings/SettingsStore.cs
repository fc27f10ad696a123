using Microsoft.EntityFrameworkCore;
using SecretAdmin.Data;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Nodes;
using SecretAdmin.Security;

namespace SecretAdmin.Features.Settings;

/// <summary>
/// The steps a settings service takes to read or change its single row: read it, load it for an
/// update (<see cref="SettingsEdit{TRow}"/>, which checks the version and saves with audit and
/// notice). The service calls them in order; nothing here calls back into a feature.
/// </summary>
public sealed class SettingsStore(
    IDbContextFactory<SecretAdminDbContext> dbContextFactory,
    SecretSealer sealer,
    AuditLog auditLog,
    SettingsChangeNotifier notifier,
    NodeChanges nodeChanges,
    TimeProvider timeProvider,
    ILogger<SettingsStore> logger)
{
    /// <summary>The stored row (defaults when none was saved yet), untracked, with the context it was read in.</summary>
    public async Task<TView> ReadAsync<TRow, TView>(Func<SecretAdminDbContext, TRow, TView> map, CancellationToken cancellationToken)
        where TRow : class, ISingleRowSettings, new()
    {
        await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
        var row = await StoredRow<TRow>.Read.For(db)(db, cancellationToken) ?? new TRow();
        return map(db, row);
    }

    /// <summary>Each settings row's read, compiled (<see cref="CompiledQuery{TQuery}"/>): the MFA policy is read at every sign-in.</summary>
    private static class StoredRow<TRow>
        where TRow : class
    {
        public static readonly CompiledQuery<Func<SecretAdminDbContext, CancellationToken, Task<TRow?>>> Read = new(() =>
            EF.CompileAsyncQuery((SecretAdminDbContext db, CancellationToken cancellationToken) => db.Set<TRow>().AsNoTracking().SingleOrDefault()));
    }

    /// <summary>
    /// Loads the row to change it. <see cref="SettingsEdit{TRow}.IsStale"/> tells when it was saved
    /// since <paramref name="expectedVersion"/>: then nothing may be changed.
    /// </summary>
    public async Task<SettingsEdit<TRow>> EditAsync<TRow>(long expectedVersion, CancellationToken cancellationToken)
        where TRow : class, ISingleRowSettings, new()
    {
        var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
        try
        {
            var row = await db.Set<TRow>().SingleOrDefaultAsync(cancellationToken);
            return new SettingsEdit<TRow>(db, row ?? new TRow(), isNew: row is null, expectedVersion, timeProvider.GetUtcNow().UtcDateTime, auditLog, notifier, nodeChanges);
        }
        catch
        {
            await db.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Binds a secret sealed before destination binding to the destination stored beside it:
    /// opens it at its place alone and seals it again for <paramref name="destinationOf"/> the row,
    /// in one conditional UPDATE with its audit entry, so a crash leaves it either as it was or bound,
    /// and a run after that finishes the job. False when there was nothing to bind or it does not open.
    /// </summary>
    public async Task<bool> BindToDestinationAsync<TRow>(string secretName, string what, Func<TRow, SealedSecret> secretOf, Func<TRow, string> destinationOf, CancellationToken cancellationToken)
        where TRow : class, ISingleRowSettings
    {
        await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
        var row = await db.Set<TRow>().AsNoTracking().SingleOrDefaultAsync(cancellationToken);
        if (row is null || secretOf(row) is not { Envelope: { } unbound, Destination: null })
        {
            return false;
        }

        var column = SealedColumn.For<TRow>(db.Model, secretName);
        var place = column.At(row.Id);
        var destination = destinationOf(row);
        if (sealer.Reseal(unbound, place, place.BoundTo(destination)) is not { } bound)
        {
            var status = sealer.Status(new SealedSecret { Envelope = unbound }, place);
            logger.LogWarning("The {Secret} was sealed before destination binding and cannot be opened ({Reason}); it stays unreadable until it is entered again.", what, status is SecretStatus.Unreadable unreadable ? unreadable.Description : "not a sealed envelope");
            return false;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Names from the model, values as parameters.
        var bind = $"UPDATE \"{column.Table}\" SET \"{column.Column}\" = {{0}}, \"{column.DestinationColumn}\" = {{1}} " +
            $"WHERE \"{column.KeyColumn}\" = {{2}} AND \"{column.Column}\" = {{3}} AND \"{column.DestinationColumn}\" IS NULL";
        var updated = await db.Database.ExecuteSqlRawAsync(bind, [bound, destination, row.Id, unbound], cancellationToken);
        if (updated == 0)
        {
            // Changed since it was read (a save, or another process binding it): nothing to do here.
            return false;
        }

        auditLog.Add(db, new AuditActor("system", null), AuditActions.SecretBound, what);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("The {Secret} is now bound to its destination.", what);
        return true;
    }
}
