using System.Data.Common;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SecretAdmin.Data;

namespace SecretAdmin.Tests.Support;

/// <summary>
/// A fresh data folder under the system temp folder, and a fresh database on the engine under test
/// (the SQLite file in the folder, or a PostgreSQL database of its own: <see cref="TestPostgres"/>),
/// both removed afterwards.
/// </summary>
public sealed class TempDataDirectory : IDisposable
{
    public TempDataDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "secretadmin-tests", Guid.NewGuid().ToString("N"));
        Data = new DataDirectory(Path);
        PostgresConnectionString = TestPostgres.IsActive ? TestPostgres.CreateDatabase() : null;
    }

    public string Path { get; }

    public DataDirectory Data { get; }

    /// <summary>This folder's own PostgreSQL database when the tests run on PostgreSQL; null on SQLite.</summary>
    public string? PostgresConnectionString { get; }

    /// <summary>The database settings an app on this folder is given, as configuration keys.</summary>
    public IReadOnlyDictionary<string, string> DatabaseSettings => PostgresConnectionString is { } connectionString
        ? new Dictionary<string, string>
        {
            [$"{DatabaseOptions.Section}:Provider"] = DatabaseOptions.Postgres,
            [$"{DatabaseOptions.Section}:ConnectionString"] = connectionString,
        }
        : new Dictionary<string, string>();

    /// <summary>The same settings as environment variables, for an app started as a process.</summary>
    public IEnumerable<KeyValuePair<string, string>> DatabaseEnvironment =>
        DatabaseSettings.Select(s => KeyValuePair.Create(s.Key.Replace(":", "__", StringComparison.Ordinal), s.Value));

    /// <summary>Points services at this folder's database.</summary>
    public void ConfigureDatabase(IServiceCollection services) =>
        services.Configure<DatabaseOptions>(o =>
        {
            if (PostgresConnectionString is { } connectionString)
            {
                o.Provider = DatabaseOptions.Postgres;
                o.ConnectionString = connectionString;
            }
        });

    /// <summary>A fresh, unpooled connection to this folder's database, for reading and changing it with plain SQL.</summary>
    public DbConnection OpenConnection()
    {
        DbConnection connection = PostgresConnectionString is { } connectionString
            ? new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString)
            : new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Data.DatabaseFile};Pooling=False;Default Timeout=30");
        connection.Open();
        return connection;
    }

    /// <summary>
    /// Everything the database stores, as an attacker with a copy would read it: the bytes of the
    /// SQLite file and the files beside it (read while open), or a <c>pg_dump</c> of the PostgreSQL database.
    /// </summary>
    public IReadOnlyList<byte[]> StoredBytes()
    {
        if (PostgresConnectionString is { } connectionString)
        {
            return [TestPostgres.Dump(connectionString)];
        }

        var files = new List<byte[]>();
        foreach (var file in Data.DatabaseFiles.Where(File.Exists))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            files.Add(copy.ToArray());
        }

        Assert.Contains(files, f => f.Length > 0);
        return files;
    }

    /// <summary>
    /// Holds off every writer of the database, as another process in a long write would, until
    /// disposed (readers go on): SQLite's write lock, or on PostgreSQL every table locked against
    /// changes and the app's own write lock taken.
    /// </summary>
    public async Task<IAsyncDisposable> HoldWritesAsync()
    {
        var connection = OpenConnection();
        var transaction = await connection.BeginTransactionAsync();
        await using var hold = connection.CreateCommand();
        hold.Transaction = transaction;
        hold.CommandText = PostgresConnectionString is null
            ? "SELECT 1" // Microsoft.Data.Sqlite begins with BEGIN IMMEDIATE: the write lock is held already.
            : $"""
                SELECT pg_advisory_xact_lock({SecretAdmin.Data.Postgres.PostgresEngine.WriteLock});
                DO $$ DECLARE t text; BEGIN
                  FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP
                    EXECUTE format('LOCK TABLE %I IN EXCLUSIVE MODE', t);
                  END LOOP;
                END $$;
                """;
        await hold.ExecuteNonQueryAsync();
        return new HeldWrites(connection, transaction);
    }

    /// <summary>Takes the database away from under a running app: the SQLite files deleted, or the PostgreSQL database dropped.</summary>
    public void RemoveDatabase()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (PostgresConnectionString is { } connectionString)
        {
            TestPostgres.DropDatabase(connectionString);
            return;
        }

        foreach (var file in Data.DatabaseFiles.Where(File.Exists))
        {
            File.Delete(file);
        }
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (PostgresConnectionString is { } connectionString)
        {
            TestPostgres.DropDatabase(connectionString);
        }

        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }

    private sealed class HeldWrites(DbConnection connection, DbTransaction transaction) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await transaction.RollbackAsync();
            await connection.DisposeAsync();
        }
    }
}
