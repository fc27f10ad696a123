using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using SecretAdmin.Security;

namespace SecretAdmin.Data.Sqlite;

/// <summary>
/// SQLite, the embedded default: one file in the data folder (<see cref="DataDirectory.DatabaseFile"/>),
/// in WAL mode, written by one transaction at a time across processes.
/// </summary>
public sealed class SqliteEngine(DataDirectory dataDirectory) : IDatabaseEngine
{
    /// <summary>SQLite's result code for a broken constraint (SQLITE_CONSTRAINT).</summary>
    private const int ConstraintViolation = 19;

    public string Name => "SQLite";

    public string Location => dataDirectory.DatabaseFile;

    public IReadOnlyList<(string File, UnixFileMode FormerMode)> EnsureCreated() => dataDirectory.EnsureCreated();

    public void Configure(DbContextOptionsBuilder options) => DatabaseEngineExtension.AddTo(
        options.UseSqlite(ConnectionString(SqliteOpenMode.ReadWriteCreate, pooling: true)).AddInterceptors(new SqlitePragmaInterceptor()),
        this);

    public SecretAdminDbContext CreateContext() => new SqliteSecretAdminDbContext(EngineContexts<SqliteSecretAdminDbContext>.Options(this));

    public IDbContextFactory<SecretAdminDbContext> CreatePooledFactory(Action<DbContextOptionsBuilder> host) => EngineContexts<SqliteSecretAdminDbContext>.Pooled(this, host);

    public async Task MigrateAsync(SecretAdminDbContext db, CancellationToken cancellationToken)
    {
        await SqliteMigrationGate.MigrateAsync(db, dataDirectory.DatabaseFile, cancellationToken);
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode = WAL;", cancellationToken);
    }

    /// <remarks>
    /// BEGIN IMMEDIATE: SQLite's write lock, taken at the first statement, across processes. Within
    /// this process the writers queue first (<see cref="SqliteWriteGate"/>).
    /// </remarks>
    public Task<IDbContextTransaction> BeginWriteLockedTransactionAsync(SecretAdminDbContext db, CancellationToken cancellationToken) =>
        SqliteWriteGate.EnterAsync(dataDirectory.DatabaseFile, async () =>
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
            var connection = (SqliteConnection)db.Database.GetDbConnection();

            // Microsoft.Data.Sqlite waits for a busy database synchronously: off the caller's thread.
            var transaction = await Task.Run(() => connection.BeginTransaction(deferred: false), cancellationToken);
            return await db.Database.UseTransactionAsync(transaction, cancellationToken)
                ?? throw new InvalidOperationException("The transaction could not be used.");
        }, cancellationToken);

    public IDbContextTransaction BeginWriteLockedTransaction(SecretAdminDbContext db) =>
        SqliteWriteGate.Enter(dataDirectory.DatabaseFile, () =>
        {
            db.Database.OpenConnection();
            var connection = (SqliteConnection)db.Database.GetDbConnection();
            return db.Database.UseTransaction(connection.BeginTransaction(deferred: false))
                ?? throw new InvalidOperationException("The transaction could not be used.");
        });

    /// <remarks>
    /// An exclusive lock on the file <c>&lt;database&gt;.&lt;name&gt;.lock</c> beside the database (as
    /// <see cref="SqliteMigrationGate"/> takes): flock on Linux, held by the open file, released by the
    /// operating system when the process ends. The file stays; only its lock matters.
    /// </remarks>
    public Task<IAsyncDisposable?> TryAcquireRunLockAsync(string name, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None, BufferSize = 1 };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnlyFile.Mode;
        }

        try
        {
            return Task.FromResult<IAsyncDisposable?>(new FileStream($"{dataDirectory.DatabaseFile}.{name}.lock", options));
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException and not PathTooLongException)
        {
            // Another process holds the file's lock.
            return Task.FromResult<IAsyncDisposable?>(null);
        }
    }

    public bool IsUniqueViolation(DbUpdateException exception) =>
        exception.InnerException is SqliteException { SqliteErrorCode: ConstraintViolation };

    public string? ReasonUnavailable(Exception exception) => exception is SqliteException ? exception.Message : null;

    public string EnvelopeKeyIdSql(string column) => $"substr({column}, 5, instr(substr({column}, 5), ':') - 1)";

    public async Task<(long? Applied, string? Problem)> CountAppliedMigrationsAsync(SecretAdminDbContext db, CancellationToken cancellationToken)
    {
        try
        {
            // ReadWrite, not ReadWriteCreate: a database file that is gone is reported, not made anew.
            await using var connection = new SqliteConnection(ConnectionString(SqliteOpenMode.ReadWrite, pooling: false));
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM \"__EFMigrationsHistory\"";
            return (Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken)), null);
        }
        catch (SqliteException e)
        {
            return (null, $"cannot be opened (SQLite error {e.SqliteErrorCode})");
        }
    }

    /// <remarks>SQLite sends no notices: nothing arrives until cancelled.</remarks>
    public async Task ListenAsync(string channel, Action<string> onNotification, Action onListening, CancellationToken cancellationToken)
    {
        onListening();
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped.
        }
    }

    /// <remarks>SQLite sends no notices: the other processes read the change at their next poll.</remarks>
    public Task NotifyAsync(SecretAdminDbContext db, string channel, string payload, CancellationToken cancellationToken) => Task.CompletedTask;

    private string ConnectionString(SqliteOpenMode mode, bool pooling) => new SqliteConnectionStringBuilder
    {
        DataSource = dataDirectory.DatabaseFile,
        Mode = mode,
        Pooling = pooling,
    }.ToString();
}
