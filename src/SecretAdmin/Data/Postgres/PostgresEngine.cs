using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using SecretAdmin.Security;

namespace SecretAdmin.Data.Postgres;

/// <summary>
/// PostgreSQL, for several nodes on one database. Writes that must see every earlier write first
/// take one transaction-scoped advisory lock, so they follow one another as on SQLite's single
/// writer, across every node.
/// </summary>
public sealed class PostgresEngine : IDatabaseEngine
{
    /// <summary>The advisory lock every write-locked transaction takes (an arbitrary number, SecretAdmin's own).</summary>
    public const long WriteLock = 0x5365_6372_6574_4164; // "SecretAd"

    /// <summary>The advisory lock a migrating node holds.</summary>
    private const long MigrationLock = WriteLock + 1;

    /// <summary>The first key of every run lock (<see cref="TryAcquireRunLockAsync"/>), the second being its name's hash: "Secr".</summary>
    private const int RunLockClass = 0x5365_6372;

    private readonly string _connectionString;
    private readonly DataDirectory _dataDirectory;

    private PostgresEngine(NpgsqlConnectionStringBuilder connection, DataDirectory dataDirectory)
    {
        _connectionString = connection.ConnectionString;
        _dataDirectory = dataDirectory;
        Location = $"'{connection.Database ?? connection.Username}' on {connection.Host}:{connection.Port}";
    }

    public string Name => "PostgreSQL";

    public string Location { get; }

    /// <exception cref="InvalidDatabaseConfigurationException">The connection string is missing, cannot be read, or names no host.</exception>
    public static PostgresEngine From(string? connectionString, DataDirectory dataDirectory)
    {
        const string Setting = "SecretAdmin:Database:ConnectionString (environment SecretAdmin__Database__ConnectionString)";
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidDatabaseConfigurationException(
                $"SecretAdmin:Database:Provider is 'postgres', but {Setting} is not set; set it to the server's connection string, e.g. Host=db.example.internal;Database=secretadmin;Username=secretadmin;Password=….");
        }

        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            // The connection string holds a password: only the reader's complaint about its form is shown.
            throw new InvalidDatabaseConfigurationException($"{Setting} cannot be read as a PostgreSQL connection string ({KeyOf(e)}); check its Key=Value; pairs.");
        }

        if (string.IsNullOrWhiteSpace(builder.Host))
        {
            throw new InvalidDatabaseConfigurationException($"{Setting} names no Host; add Host=<server> to it.");
        }

        return new PostgresEngine(builder, dataDirectory);
    }

    public IReadOnlyList<(string File, UnixFileMode FormerMode)> EnsureCreated()
    {
        // The data folder still holds the master key file (unless the key comes from elsewhere).
        OwnerOnlyFolder.Create(_dataDirectory.Path);
        return [];
    }

    public void Configure(DbContextOptionsBuilder options) => DatabaseEngineExtension.AddTo(options.UseNpgsql(_connectionString), this);

    public SecretAdminDbContext CreateContext() => new PostgresSecretAdminDbContext(EngineContexts<PostgresSecretAdminDbContext>.Options(this));

    public IDbContextFactory<SecretAdminDbContext> CreatePooledFactory(Action<DbContextOptionsBuilder> host) => EngineContexts<PostgresSecretAdminDbContext>.Pooled(this, host);

    /// <remarks>
    /// Nodes starting together migrate one at a time under a session advisory lock, which the server
    /// releases when a migrating process dies. The node gives it back itself when it is done: the
    /// connection goes back to the pool with its session as it is when the connection string says
    /// <c>No Reset On Close</c>. The history table is made first, so a new database does not log
    /// EF Core's failed read of it as an error.
    /// </remarks>
    public async Task MigrateAsync(SecretAdminDbContext db, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_lock({MigrationLock})", cancellationToken);
            try
            {
                await db.Database.ExecuteSqlRawAsync(db.GetService<IHistoryRepository>().GetCreateIfNotExistsScript(), cancellationToken);
                await db.Database.MigrateAsync(cancellationToken);
            }
            finally
            {
                // A broken connection's session is gone, and the lock with it.
                if (db.Database.GetDbConnection().State == System.Data.ConnectionState.Open)
                {
                    await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({MigrationLock})", CancellationToken.None);
                }
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    public async Task<IDbContextTransaction> BeginWriteLockedTransactionAsync(SecretAdminDbContext db, CancellationToken cancellationToken)
    {
        var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({WriteLock})", cancellationToken);
        return transaction;
    }

    public IDbContextTransaction BeginWriteLockedTransaction(SecretAdminDbContext db)
    {
        var transaction = db.Database.BeginTransaction();
        db.Database.ExecuteSql($"SELECT pg_advisory_xact_lock({WriteLock})");
        return transaction;
    }

    /// <remarks>
    /// A session-level advisory lock (<see cref="RunLockClass"/>, the name's hash) held by a connection
    /// of its own, outside the pool, for as long as the run: closing it, or the process dying, ends
    /// the session and the server releases the lock. The session asks the server for TCP keepalives
    /// every few seconds, so a node that vanishes without closing its connection (power, network)
    /// frees the lock within about half a minute too.
    /// </remarks>
    public async Task<IAsyncDisposable?> TryAcquireRunLockAsync(string name, CancellationToken cancellationToken)
    {
        var dedicated = new NpgsqlConnectionStringBuilder(_connectionString) { Pooling = false };
        dedicated.Options = $"{dedicated.Options} -c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3".Trim();
        var connection = new NpgsqlConnection(dedicated.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT pg_try_advisory_lock(@class, hashtext(@name))";
            command.Parameters.AddWithValue("class", RunLockClass);
            command.Parameters.AddWithValue("name", name);
            if (await command.ExecuteScalarAsync(cancellationToken) is true)
            {
                return connection;
            }

            await connection.DisposeAsync();
            return null;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public bool IsUniqueViolation(DbUpdateException exception) =>
        exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    public string? ReasonUnavailable(Exception exception) =>
        // EF Core's execution strategy wraps a connection failure in an InvalidOperationException.
        (exception as NpgsqlException ?? exception.InnerException as NpgsqlException)?.Message;

    public string EnvelopeKeyIdSql(string column) => $"split_part(substr({column}, 5), ':', 1)";

    public async Task<(long? Applied, string? Problem)> CountAppliedMigrationsAsync(SecretAdminDbContext db, CancellationToken cancellationToken)
    {
        try
        {
            var fresh = new NpgsqlConnectionStringBuilder(_connectionString) { Pooling = false };
            await using var connection = new NpgsqlConnection(fresh.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM \"__EFMigrationsHistory\"";
            return (Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken)), null);
        }
        catch (PostgresException e)
        {
            return (null, $"the server refused ({e.SqlState})");
        }
        catch (NpgsqlException)
        {
            return (null, "cannot be reached");
        }
    }

    /// <remarks>
    /// LISTEN on a connection of its own, outside the pool, with TCP keepalive so a connection the
    /// network dropped is noticed and thrown, not waited on for ever.
    /// </remarks>
    public async Task ListenAsync(string channel, Action<string> onNotification, Action onListening, CancellationToken cancellationToken)
    {
        var dedicated = new NpgsqlConnectionStringBuilder(_connectionString) { Pooling = false, KeepAlive = 15 };
        await using var connection = new NpgsqlConnection(dedicated.ConnectionString);
        connection.Notification += (_, notice) => onNotification(notice.Payload);
        await connection.OpenAsync(cancellationToken);
        await using (var listen = connection.CreateCommand())
        {
            // The channel is SecretAdmin's own constant, quoted as an identifier.
            listen.CommandText = $"LISTEN \"{channel.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
            await listen.ExecuteNonQueryAsync(cancellationToken);
        }

        onListening();
        try
        {
            while (true)
            {
                await connection.WaitAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped.
        }
    }

    /// <remarks>pg_notify sends at commit of the open transaction, so no node hears of a change that is rolled back.</remarks>
    public async Task NotifyAsync(SecretAdminDbContext db, string channel, string payload, CancellationToken cancellationToken) =>
        await db.Database.ExecuteSqlAsync($"SELECT pg_notify({channel}, {payload})", cancellationToken);

    private static string KeyOf(ArgumentException e) => e.ParamName is { Length: > 0 } name ? $"'{name}' is not a key it knows, or its value is not valid" : "a key or value is not valid";
}
