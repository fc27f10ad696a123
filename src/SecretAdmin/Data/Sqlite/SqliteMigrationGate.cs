using Microsoft.EntityFrameworkCore;
using SecretAdmin.Security;

namespace SecretAdmin.Data.Sqlite;

/// <summary>
/// Migrates the SQLite database one process at a time. EF Core guards a migration with a row in
/// <c>__EFMigrationsLock</c>, which a process killed while migrating leaves behind, so every later
/// start would wait for it forever. Here each process first takes an exclusive lock on a file beside
/// the database, which the operating system releases when the process ends however it ends; whoever
/// holds it knows that no other SecretAdmin process is migrating, so a lock row found then is stale
/// and is removed before migrating.
/// </summary>
internal static class SqliteMigrationGate
{
    private const string LockTable = "__EFMigrationsLock";
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(100);

    public static async Task MigrateAsync(SecretAdminDbContext db, string databaseFile, CancellationToken cancellationToken)
    {
        await using var gate = await AcquireAsync($"{databaseFile}.migrating", cancellationToken);
        var hasLockTable = await db.Database
            .SqlQuery<int>($"SELECT COUNT(*) AS \"Value\" FROM sqlite_master WHERE type = 'table' AND name = {LockTable}")
            .SingleAsync(cancellationToken) > 0;
        if (hasLockTable)
        {
            await db.Database.ExecuteSqlRawAsync($"DELETE FROM \"{LockTable}\"", cancellationToken);
        }

        await db.Database.MigrateAsync(cancellationToken);
    }

    private static async Task<FileStream> AcquireAsync(string path, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                // FileShare.None is an exclusive advisory lock (flock) on Linux, held by this process only.
                var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None, BufferSize = 1 };
                if (!OperatingSystem.IsWindows())
                {
                    options.UnixCreateMode = OwnerOnlyFile.Mode;
                }

                return new FileStream(path, options);
            }
            catch (IOException)
            {
                await Task.Delay(RetryDelay, cancellationToken);
            }
        }
    }
}
