using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using SecretAdmin.Data;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Keys;
using SecretAdmin.Security;

namespace SecretAdmin.Benchmarks.Reseal;

/// <summary>
/// P2's baseline: <see cref="SealedValueService.ResealAsync"/>'s database work without its
/// cryptography, on whichever engine the app runs on, through the same seam. The same count, the same
/// run row, the same batches (size, keyset pagination, the same SELECT outside the write transaction,
/// the batch after next read before the current one is written), then the same conditional UPDATEs
/// and progress UPDATE in one write-locked transaction of the engine's
/// (<see cref="IDatabaseEngine.BeginWriteLockedTransactionAsync"/>: BEGIN IMMEDIATE on SQLite, the
/// advisory lock on PostgreSQL), the same plain ADO.NET <c>@name</c> parameters, the same audit entry —
/// but each new value is the stored one with its key id changed (<c>sa1:1:…</c> to <c>sa1:2:…</c>):
/// the same size, nothing opened or sealed.
/// </summary>
internal static class NoCryptoRewrite
{
    public static async Task<long> RunAsync(
        IDbContextFactory<SecretAdminDbContext> dbContextFactory, AuditLog auditLog, TimeProvider timeProvider, int activeKeyId, int batchSize, Action<long> afterBatch)
    {
        var where = $"{{0}} LIKE '{Envelope.Prefix}%' AND {{0}} NOT LIKE '{Envelope.Prefix}{activeKeyId}:%'";
        var newPrefix = $"{Envelope.Prefix}{activeKeyId}:";
        long total = 0, done = 0;
        var clock = Stopwatch.StartNew();
        await using var db = await dbContextFactory.CreateDbContextAsync();
        await db.Database.OpenConnectionAsync();
        var connection = db.Database.GetDbConnection();
        var columns = SealedColumn.AllIn(db.Model);
        foreach (var column in columns)
        {
            await using var count = connection.CreateCommand();
            count.CommandText = $"SELECT COUNT(*) FROM \"{column.Table}\" WHERE {string.Format(where, $"\"{column.Column}\"")}";
            total += (long)(await count.ExecuteScalarAsync())!;
        }

        var started = timeProvider.GetUtcNow().UtcDateTime;
        var operation = new KeyOperation { Kind = KeyOperation.Reseal, StartedBy = "benchmark-baseline", StartedAtUtc = started, UpdatedAtUtc = started, Total = total };
        db.KeyOperations.Add(operation);
        await db.SaveChangesAsync();

        foreach (var column in columns)
        {
            var batch = await ReadBatchAsync(column, after: null);
            while (batch.Count > 0)
            {
                var next = await ReadBatchAsync(column, batch[^1].Key);
                await WriteBatchAsync(column, batch);
                afterBatch(done);
                batch = next;
            }
        }

        operation.Done = done;
        operation.FinishedAtUtc = timeProvider.GetUtcNow().UtcDateTime;
        operation.UpdatedAtUtc = operation.FinishedAtUtc.Value;
        await db.SaveChangesAsync();
        await auditLog.WriteAsync(AuditActor.Cli, AuditActions.KeysResealed, $"{done} value(s) to key {activeKeyId} (benchmark baseline, {clock.Elapsed.TotalSeconds:F1} s)");
        return done;

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

            await using var reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows.Add((reader.GetValue(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
            }

            return rows;
        }

        async Task WriteBatchAsync(SealedColumn column, List<(object Key, string Stored, string? Destination)> rows)
        {
            await using var transaction = await db.Engine.BeginWriteLockedTransactionAsync(db, CancellationToken.None);
            var sqlTransaction = transaction.GetDbTransaction();
            try
            {
                var c = $"\"{column.Column}\"";
                var k = $"\"{column.KeyColumn}\"";
                long written = 0;
                await using (var update = connection.CreateCommand())
                {
                    update.Transaction = sqlTransaction;
                    update.CommandText = $"UPDATE \"{column.Table}\" SET {c} = @new WHERE {k} = @key AND {c} = @old";
                    var newValue = update.AddParameter("@new");
                    var key = update.AddParameter("@key");
                    var old = update.AddParameter("@old");
                    foreach (var (rowKey, stored, _) in rows)
                    {
                        // "sa1:<old id>:<payload>" becomes "sa1:<active id>:<payload>": same size (one-digit ids), no cryptography.
                        newValue.Value = string.Concat(newPrefix, stored.AsSpan(stored.IndexOf(':', Envelope.Prefix.Length) + 1));
                        key.Value = rowKey;
                        old.Value = stored;
                        written += await update.ExecuteNonQueryAsync();
                    }
                }

                await using (var track = connection.CreateCommand())
                {
                    track.Transaction = sqlTransaction;
                    track.CommandText = "UPDATE \"KeyOperations\" SET \"Done\" = @done, \"Unreadable\" = @unreadable, \"UpdatedAtUtc\" = @now WHERE \"Id\" = @id";
                    track.AddParameter("@done", done + written);
                    track.AddParameter("@unreadable", 0L);
                    track.AddParameter("@now", timeProvider.GetUtcNow().UtcDateTime);
                    track.AddParameter("@id", operation.Id);
                    await track.ExecuteNonQueryAsync();
                }

                await transaction.CommitAsync();
                done += written;
            }
            catch
            {
                await transaction.RollbackAsync(CancellationToken.None);
                throw;
            }
        }
    }
}
