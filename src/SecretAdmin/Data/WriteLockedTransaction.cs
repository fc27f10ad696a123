using Microsoft.EntityFrameworkCore.Storage;

namespace SecretAdmin.Data;

internal static class WriteLockedTransaction
{
    /// <inheritdoc cref="IDatabaseEngine.BeginWriteLockedTransactionAsync"/>
    public static Task<IDbContextTransaction> BeginWriteLockedTransactionAsync(this SecretAdminDbContext db, CancellationToken cancellationToken) =>
        db.Engine.BeginWriteLockedTransactionAsync(db, cancellationToken);

    /// <inheritdoc cref="IDatabaseEngine.BeginWriteLockedTransaction"/>
    public static IDbContextTransaction BeginWriteLockedTransaction(this SecretAdminDbContext db) =>
        db.Engine.BeginWriteLockedTransaction(db);
}
