using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace SecretAdmin.Data;

internal static class ImmediateTransaction
{
    /// <summary>
    /// Begins a transaction that holds SQLite's write lock from its first statement (BEGIN
    /// IMMEDIATE), so a check made inside it still holds when the change is written — also
    /// against another process using the same database file.
    /// </summary>
    public static async Task<IDbContextTransaction> BeginImmediateTransactionAsync(this SecretAdminDbContext db, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        var transaction = await Task.Run(() => connection.BeginTransaction(deferred: false), cancellationToken);
        return await db.Database.UseTransactionAsync(transaction, cancellationToken)
            ?? throw new InvalidOperationException("The transaction could not be used.");
    }
}
