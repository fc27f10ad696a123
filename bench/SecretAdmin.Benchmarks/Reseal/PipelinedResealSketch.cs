using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using SecretAdmin.Data;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Keys;
using SecretAdmin.Security;

namespace SecretAdmin.Benchmarks.Reseal;

/// <summary>
/// Not used by the app: a sketch of the change docs/benchmarks.md proposes for
/// <see cref="KeyLifecycleService.ResealAsync"/>, measured beside it. The same SQL, batches,
/// transactions, run row and audit entry — but the
/// next batch is read before the current one is written, and opened and sealed on another thread
/// while the current batch's UPDATEs run, so the cryptography and SQLite use both cores instead of
/// taking turns on one. <c>reseal</c> opens and seals one value (null: unreadable) — with
/// <see cref="SecretSealer"/> as the service does, or with <see cref="Sealing.SealerFixSketch"/>. Correctness still rests on the conditional UPDATE (<c>WHERE … = $old</c>):
/// a row changed between its read and its write is left alone, as in the service.
/// </summary>
internal static class PipelinedResealSketch
{
    public static async Task<long> RunAsync(
        IDbContextFactory<SecretAdminDbContext> dbContextFactory,
        int activeKeyId,
        Func<string, SealedPlace, string?> reseal,
        AuditLog auditLog,
        TimeProvider timeProvider,
        int batchSize,
        Action<long> afterBatch)
    {
        var where = $"{{0}} LIKE '{Envelope.Prefix}%' AND {{0}} NOT LIKE '{Envelope.Prefix}{activeKeyId}:%'";
        long total = 0, done = 0, unreadable = 0;
        await using var db = await dbContextFactory.CreateDbContextAsync();
        await db.Database.OpenConnectionAsync();
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        var columns = SealedColumn.AllIn(db.Model);
        foreach (var column in columns)
        {
            await using var count = connection.CreateCommand();
            count.CommandText = $"SELECT COUNT(*) FROM \"{column.Table}\" WHERE {string.Format(where, $"\"{column.Column}\"")}";
            total += (long)(await count.ExecuteScalarAsync())!;
        }

        var started = timeProvider.GetUtcNow().UtcDateTime;
        var operation = new KeyOperation { Kind = KeyOperation.Reseal, StartedBy = "benchmark-pipelined-sketch", StartedAtUtc = started, UpdatedAtUtc = started, Total = total };
        db.KeyOperations.Add(operation);
        await db.SaveChangesAsync();

        foreach (var column in columns)
        {
            var current = await ReadAsync(column, after: null);
            var sealedCurrent = Reseal(column, current);
            while (current.Count > 0)
            {
                var next = await ReadAsync(column, current[^1].Key);
                var sealingNext = Task.Run(() => Reseal(column, next));

                var sqlTransaction = connection.BeginTransaction(deferred: false);
                await using (var transaction = (await db.Database.UseTransactionAsync(sqlTransaction))!)
                {
                    await WriteAsync(column, current, sealedCurrent, sqlTransaction);
                    await transaction.CommitAsync();
                }

                afterBatch(done);
                (current, sealedCurrent) = (next, await sealingNext);
            }
        }

        operation.Done = done;
        operation.Unreadable = unreadable;
        operation.FinishedAtUtc = timeProvider.GetUtcNow().UtcDateTime;
        operation.UpdatedAtUtc = operation.FinishedAtUtc.Value;
        await db.SaveChangesAsync();
        await auditLog.WriteAsync(AuditActor.Cli, AuditActions.KeysResealed, $"{done} value(s) to key {activeKeyId}, {unreadable} unreadable (benchmark sketch)");
        return done;

        async Task<List<(object Key, string Stored)>> ReadAsync(SealedColumn column, object? after)
        {
            var c = $"\"{column.Column}\"";
            var k = $"\"{column.KeyColumn}\"";
            var rows = new List<(object Key, string Stored)>(batchSize);
            await using var select = connection.CreateCommand();
            select.CommandText = $"SELECT {k}, {c} FROM \"{column.Table}\" WHERE {string.Format(where, c)}{(after is null ? "" : $" AND {k} > $after")} ORDER BY {k} LIMIT $limit";
            select.Parameters.AddWithValue("$limit", batchSize);
            if (after is not null)
            {
                select.Parameters.AddWithValue("$after", after);
            }

            await using var reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows.Add((reader.GetValue(0), reader.GetString(1)));
            }

            return rows;
        }

        string?[] Reseal(SealedColumn column, List<(object Key, string Stored)> rows)
        {
            var replacements = new string?[rows.Count];
            for (var i = 0; i < rows.Count; i++)
            {
                var place = column.At(rows[i].Key);
                replacements[i] = reseal(rows[i].Stored, place);
            }

            return replacements;
        }

        async Task WriteAsync(SealedColumn column, List<(object Key, string Stored)> rows, string?[] replacements, SqliteTransaction sqlTransaction)
        {
            var c = $"\"{column.Column}\"";
            var k = $"\"{column.KeyColumn}\"";
            await using (var update = connection.CreateCommand())
            {
                update.Transaction = sqlTransaction;
                update.CommandText = $"UPDATE \"{column.Table}\" SET {c} = $new WHERE {k} = $key AND {c} = $old";
                var newValue = update.Parameters.Add("$new", SqliteType.Text);
                var key = update.Parameters.Add("$key", SqliteType.Text);
                var old = update.Parameters.Add("$old", SqliteType.Text);
                for (var i = 0; i < rows.Count; i++)
                {
                    if (replacements[i] is not { } replacement)
                    {
                        unreadable++;
                        continue;
                    }

                    newValue.Value = replacement;
                    key.Value = rows[i].Key;
                    old.Value = rows[i].Stored;
                    done += await update.ExecuteNonQueryAsync();
                }
            }

            await using var track = connection.CreateCommand();
            track.Transaction = sqlTransaction;
            track.CommandText = "UPDATE \"KeyOperations\" SET \"Done\" = $done, \"Unreadable\" = $unreadable, \"UpdatedAtUtc\" = $now WHERE \"Id\" = $id";
            track.Parameters.AddWithValue("$done", done);
            track.Parameters.AddWithValue("$unreadable", unreadable);
            track.Parameters.AddWithValue("$now", timeProvider.GetUtcNow().UtcDateTime);
            track.Parameters.AddWithValue("$id", operation.Id);
            await track.ExecuteNonQueryAsync();
        }
    }
}
