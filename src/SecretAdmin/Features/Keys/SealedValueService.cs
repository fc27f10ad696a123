using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using SecretAdmin.Data;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Mail;
using SecretAdmin.Features.Settings;
using SecretAdmin.Security;

namespace SecretAdmin.Features.Keys;

/// <summary>
/// The re-seal engine: re-seal, verify, and import legacy plaintext — the sealed values, apart from
/// the custody of the keys (<see cref="KeyCustody"/>). Re-seal and import rewrite the
/// sealed columns batch by batch, each batch one transaction in which a new envelope replaces the
/// old one only if the row still holds the old one — so a crash at any point leaves every value
/// either as it was or re-sealed, and running again finishes the job. Re-seal and import run one at a
/// time across every process and node (<see cref="SealingRunLock"/>); a run that finds an earlier
/// one left unfinished (its process died) closes it as interrupted and carries on from its last
/// committed batch, as only the values not yet done are selected. Verify only reads and takes no
/// lock. Audit entries carry counts, never a value. The administrators are told when a re-seal ends
/// (finished or failed, with the run's end record) and when a verify finds values that do not open.
/// </summary>
public sealed class SealedValueService(
    IDbContextFactory<SecretAdminDbContext> dbContextFactory,
    SecretSealer sealer,
    AuditLog auditLog,
    MailOutbox outbox,
    IEnumerable<IDestinationBoundSecret> destinationBoundSecrets,
    TimeProvider timeProvider)
{
    public const int DefaultBatchSize = 500;

    /// <summary>The run lock's name, one for re-seal and import: both rewrite the same columns.</summary>
    private const string RunLockName = "sealing-run";

    /// <summary>Takes the run lock for a re-seal or import to be started with it; null when a run holds it, here or on another node.</summary>
    public async Task<SealingRunLock?> TryLockRunAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
        return await db.Engine.TryAcquireRunLockAsync(RunLockName, cancellationToken) is { } held ? new SealingRunLock(held) : null;
    }

    /// <inheritdoc cref="ResealAsync(SealingRunLock, AuditActor, int, IProgress{SealingProgress}?, CancellationToken)"/>
    /// <exception cref="SealingRunRefusedException">A re-seal or import is running on another node or process.</exception>
    public async Task<SealingProgress> ResealAsync(AuditActor actor, int batchSize = DefaultBatchSize, IProgress<SealingProgress>? progress = null, CancellationToken cancellationToken = default) =>
        await ResealAsync(await TryLockRunAsync(cancellationToken) ?? throw new SealingRunRefusedException(), actor, batchSize, progress, cancellationToken);

    /// <summary>
    /// Re-seals every value not under the active key, holding <paramref name="runLock"/> (released when
    /// the run ends). Values that cannot be opened are left as they are and counted.
    /// </summary>
    public async Task<SealingProgress> ResealAsync(SealingRunLock runLock, AuditActor actor, int batchSize = DefaultBatchSize, IProgress<SealingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        await using var held = runLock;
        var active = sealer.KeyRing.Active.Id;
        var pending = $"{{0}} LIKE '{Envelope.Prefix}%' AND {{0}} NOT LIKE '{Envelope.Prefix}{active}:%'";
        return await RewriteAsync(KeyOperation.Reseal, actor, pending, (stored, place) => sealer.Reseal(stored, place, place), batchSize, RecordEndAsync, progress, cancellationToken);

        async Task RecordEndAsync(SecretAdminDbContext db, KeyOperation run)
        {
            var at = run.FinishedAtUtc!.Value;
            if (run.Failure is null)
            {
                auditLog.Add(db, actor, AuditActions.KeysResealed, $"{run.Done} value(s) to key {active}, {run.Unreadable} unreadable");
                await outbox.AddToAdministratorsAsync(db, admin => SecurityNotices.ResealFinished(admin, at, run.Done, run.Unreadable), CancellationToken.None);
            }
            else
            {
                await outbox.AddToAdministratorsAsync(db, admin => SecurityNotices.ResealFailed(admin, at, run.Done), CancellationToken.None);
            }
        }
    }

    /// <summary>
    /// Seals values stored as plaintext (from before sealing), in place. A value that looks like a
    /// damaged envelope (<see cref="Envelope.LooksLikeEnvelope"/>) is not plaintext: it is left as it
    /// is and counted unreadable, so verify keeps reporting it.
    /// </summary>
    /// <exception cref="SealingRunRefusedException">A re-seal or import is running on another node or process.</exception>
    public async Task<SealingProgress> ImportPlaintextAsync(AuditActor actor, int batchSize = DefaultBatchSize, IProgress<SealingProgress>? progress = null, CancellationToken cancellationToken = default) =>
        await ImportPlaintextAsync(await TryLockRunAsync(cancellationToken) ?? throw new SealingRunRefusedException(), actor, batchSize, progress, cancellationToken);

    /// <inheritdoc cref="ImportPlaintextAsync(AuditActor, int, IProgress{SealingProgress}?, CancellationToken)"/>
    /// <param name="runLock">The run lock, taken by <see cref="TryLockRunAsync"/>; released when the run ends.</param>
    public async Task<SealingProgress> ImportPlaintextAsync(SealingRunLock runLock, AuditActor actor, int batchSize = DefaultBatchSize, IProgress<SealingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        await using var held = runLock;
        // substr(...) <> is case-sensitive where LIKE is not, so SA1:… is selected, and left, too.
        var plaintext = $"{{0}} IS NOT NULL AND {{0}} <> '' AND substr({{0}}, 1, {Envelope.Prefix.Length}) <> '{Envelope.Prefix}'";
        var result = await RewriteAsync(KeyOperation.ImportPlaintext, actor, plaintext, (stored, place) => Envelope.LooksLikeEnvelope(stored) ? null : sealer.Seal(stored, place), batchSize, recordEnd: null, progress, cancellationToken);

        // A secret that authenticates somewhere was sealed for its row; bind it to its destination now.
        foreach (var secret in destinationBoundSecrets)
        {
            await secret.BindToDestinationAsync(cancellationToken);
        }

        var left = result.Unreadable > 0 ? $", {result.Unreadable} left as they are: they look like damaged envelopes" : "";
        await auditLog.WriteAsync(actor, AuditActions.PlaintextImported, $"{result.Done} value(s) sealed{left}", cancellationToken: cancellationToken);
        return result;
    }

    /// <summary>Opens every stored value and counts them per table, column, key id and state.</summary>
    public async Task<VerifyReport> VerifyAsync(AuditActor actor, CancellationToken cancellationToken = default)
    {
        var counts = new Dictionary<VerifyEntry, long>();
        await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
        await db.Database.OpenConnectionAsync(cancellationToken);
        var connection = db.Database.GetDbConnection();
        foreach (var column in SealedColumn.AllIn(db.Model))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT \"{column.KeyColumn}\", \"{column.Column}\", \"{column.DestinationColumn}\" FROM \"{column.Table}\" WHERE \"{column.Column}\" IS NOT NULL";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var destination = reader.IsDBNull(2) ? null : reader.GetString(2);
                var secret = new SealedSecret { Envelope = reader.GetString(1), Destination = destination };
                var place = column.At(reader.GetValue(0), column.Binding == SecretBinding.Destination ? destination ?? string.Empty : null);

                // A secret for a destination that was sealed for none does not open, as when it is used.
                var read = sealer.Open(secret, place);
                var (keyId, state) = read.Match<(int?, SealedValueState)>(
                    () => (null, SealedValueState.Opens),
                    present => (present.KeyId, present.KeyId is null ? SealedValueState.Plaintext : SealedValueState.Opens),
                    unreadable => (unreadable.KeyId, unreadable.Reason switch
                    {
                        UnreadableReason.UnknownKeyId => SealedValueState.KeyMissing,
                        UnreadableReason.MasterKeyUnavailable => SealedValueState.MasterKeyUnavailable,
                        UnreadableReason.LegacyPlaintext => SealedValueState.Plaintext,
                        _ => SealedValueState.DoesNotOpen,
                    }));
                var key = new VerifyEntry(column.Table, column.Column, keyId, state, 0);
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }
        }

        var report = new VerifyReport([.. counts.Select(c => c.Key with { Count = c.Value }).OrderBy(e => e.Table).ThenBy(e => e.Column).ThenBy(e => e.KeyId).ThenBy(e => e.State)]);
        auditLog.Add(db, actor, AuditActions.KeysVerified,
            $"{report.Count(SealedValueState.Opens)} open, {report.Count(SealedValueState.KeyMissing)} key missing, {report.Count(SealedValueState.MasterKeyUnavailable)} master key unavailable, {report.Count(SealedValueState.DoesNotOpen)} do not open, {report.Count(SealedValueState.Plaintext)} plaintext");

        // Values whose key is gone or that fail to open are lost until someone acts; an unavailable master key has its own alert.
        var unreadable = report.Count(SealedValueState.KeyMissing) + report.Count(SealedValueState.DoesNotOpen);
        if (unreadable > 0)
        {
            var at = timeProvider.GetUtcNow().UtcDateTime;
            await outbox.AddToAdministratorsAsync(db, admin => SecurityNotices.SecretsUnreadable(admin, at, unreadable), cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
        return report;
    }

    /// <summary>
    /// Walks every sealed column in primary-key order, <paramref name="batchSize"/> rows matching
    /// <paramref name="where"/> at a time, and replaces each value with <paramref name="rewrite"/>'s
    /// answer (null: leave it, count it unreadable) — only where the row still holds what was read.
    /// The run is recorded as a <see cref="KeyOperation"/> whose progress commits with each batch;
    /// <paramref name="recordEnd"/> adds what its end means to the save of its end record.
    /// The caller holds the run lock.
    /// </summary>
    private async Task<SealingProgress> RewriteAsync(
        string kind,
        AuditActor actor,
        string where,
        Func<string, SealedPlace, string?> rewrite,
        int batchSize,
        Func<SecretAdminDbContext, KeyOperation, Task>? recordEnd,
        IProgress<SealingProgress>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        long total = 0, done = 0, unreadable = 0;
        await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
        await CloseInterruptedAsync(db, cancellationToken);
        await db.Database.OpenConnectionAsync(cancellationToken);
        var connection = db.Database.GetDbConnection();
        var columns = SealedColumn.AllIn(db.Model);
        foreach (var column in columns)
        {
            await using var count = connection.CreateCommand();
            count.CommandText = $"SELECT COUNT(*) FROM \"{column.Table}\" WHERE {string.Format(where, $"\"{column.Column}\"")}";
            total += (long)(await count.ExecuteScalarAsync(cancellationToken))!;
        }

        var started = timeProvider.GetUtcNow().UtcDateTime;
        var operation = new KeyOperation { Kind = kind, StartedBy = actor.Name, StartedAtUtc = started, UpdatedAtUtc = started, Total = total };
        db.KeyOperations.Add(operation);
        await db.SaveChangesAsync(cancellationToken);

        // The rate counts from the first batch: the counting before it would make short runs look slow.
        var clock = Stopwatch.StartNew();
        SealingProgress Now() => new(done, total, unreadable, clock.Elapsed.TotalSeconds > 0 ? done / clock.Elapsed.TotalSeconds : 0);
        progress?.Report(Now());
        var finished = false;
        try
        {
            foreach (var column in columns)
            {
                // The cryptography runs on another thread, a batch ahead of the database: while batch N is
                // written (in its own write-locked transaction) and batch N + 2 read, batch N + 1
                // is opened and re-sealed. The guarantees rest on the conditional UPDATE, so a row
                // changed between its read and its write is left alone, as if it had been read
                // inside the transaction.
                var first = await ReadBatchAsync(column, after: null);
                var rewriting = Task.Run(() => RewriteBatch(column, first), cancellationToken);
                var batch = first;
                try
                {
                    while (batch.Count > 0)
                    {
                        var next = await ReadBatchAsync(column, batch[^1].Key);
                        var replacements = await rewriting;
                        rewriting = Task.Run(() => RewriteBatch(column, next), cancellationToken);
                        await WriteBatchAsync(column, batch, replacements);
                        progress?.Report(Now());
                        batch = next;
                    }
                }
                finally
                {
                    // Never leave a rewrite running past the run (its failure, if any, is already thrown).
                    await ((Task)rewriting).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }
            }

            finished = true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            operation.Failure = e.GetType().Name;
            throw;
        }
        finally
        {
            operation.Done = done;
            operation.Unreadable = unreadable;
            operation.FinishedAtUtc = timeProvider.GetUtcNow().UtcDateTime;
            operation.UpdatedAtUtc = operation.FinishedAtUtc.Value;

            // What the run's end means (an audit entry, notices) is saved with its end record; a cancelled run has none.
            if (recordEnd is not null && (finished || operation.Failure is not null))
            {
                await recordEnd(db, operation);
            }

            await db.SaveChangesAsync(CancellationToken.None);
        }

        return Now();

        // Up to one batch of the rows to rewrite after the key <paramref name="after"/>, in key order.
        async Task<List<(object Key, string Stored, string? Destination)>> ReadBatchAsync(SealedColumn column, object? after)
        {
            var c = $"\"{column.Column}\"";
            var k = $"\"{column.KeyColumn}\"";
            var rows = new List<(object Key, string Stored, string? Destination)>(batchSize);
            await using var select = connection.CreateCommand();
            select.CommandText = $"SELECT {k}, {c}, \"{column.DestinationColumn}\" FROM \"{column.Table}\" WHERE {string.Format(where, c)}{(after is null ? "" : $" AND {k} > @after")} ORDER BY {k} LIMIT @limit";
            select.AddParameter("@limit", batchSize);
            if (after is not null)
            {
                select.AddParameter("@after", after);
            }

            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add((reader.GetValue(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
            }

            return rows;
        }

        // Each row's new value, or null when it cannot be rewritten (unreadable).
        string?[] RewriteBatch(SealedColumn column, List<(object Key, string Stored, string? Destination)> rows)
        {
            var replacements = new string?[rows.Count];
            for (var i = 0; i < rows.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                replacements[i] = rewrite(rows[i].Stored, column.At(rows[i].Key, rows[i].Destination));
            }

            return replacements;
        }

        // Writes one batch, and the run's progress with it, in one write-locked transaction.
        async Task WriteBatchAsync(SealedColumn column, List<(object Key, string Stored, string? Destination)> rows, string?[] replacements)
        {
            await using var transaction = await db.BeginWriteLockedTransactionAsync(cancellationToken);
            var sqlTransaction = transaction.GetDbTransaction();
            try
            {
                var c = $"\"{column.Column}\"";
                var k = $"\"{column.KeyColumn}\"";
                long written = 0, skipped = 0;
                await using (var update = connection.CreateCommand())
                {
                    update.Transaction = sqlTransaction;
                    update.CommandText = $"UPDATE \"{column.Table}\" SET {c} = @new WHERE {k} = @key AND {c} = @old";
                    var newValue = update.AddParameter("@new");
                    var key = update.AddParameter("@key");
                    var old = update.AddParameter("@old");
                    for (var i = 0; i < rows.Count; i++)
                    {
                        if (replacements[i] is not { } replacement)
                        {
                            skipped++;
                            continue;
                        }

                        newValue.Value = replacement;
                        key.Value = rows[i].Key;
                        old.Value = rows[i].Stored;
                        written += await update.ExecuteNonQueryAsync(cancellationToken);
                    }
                }

                // The run's progress is committed with the batch it counts.
                await using (var track = connection.CreateCommand())
                {
                    track.Transaction = sqlTransaction;
                    track.CommandText = "UPDATE \"KeyOperations\" SET \"Done\" = @done, \"Unreadable\" = @unreadable, \"UpdatedAtUtc\" = @now WHERE \"Id\" = @id";
                    track.AddParameter("@done", done + written);
                    track.AddParameter("@unreadable", unreadable + skipped);
                    track.AddParameter("@now", timeProvider.GetUtcNow().UtcDateTime);
                    track.AddParameter("@id", operation.Id);
                    await track.ExecuteNonQueryAsync(cancellationToken);
                }

                await transaction.CommitAsync(cancellationToken);
                (done, unreadable) = (done + written, unreadable + skipped);
            }
            catch
            {
                // The transaction is the connection's own (not EF's): ended here, not by disposal.
                await transaction.RollbackAsync(CancellationToken.None);
                throw;
            }
        }
    }

    /// <summary>
    /// Closes the runs left unfinished: with the run lock held, none of them is running, so their
    /// process died (or stopped) mid-run. They keep what they did; this run does the rest.
    /// </summary>
    private static async Task CloseInterruptedAsync(SecretAdminDbContext db, CancellationToken cancellationToken)
    {
        var unfinished = await db.KeyOperations.Where(o => o.FinishedAtUtc == null && o.Failure == null).ToListAsync(cancellationToken);
        foreach (var operation in unfinished)
        {
            // It ended with its last committed batch.
            operation.FinishedAtUtc = operation.UpdatedAtUtc;
            operation.Failure = KeyOperation.Interrupted;
        }

        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
    }
}
