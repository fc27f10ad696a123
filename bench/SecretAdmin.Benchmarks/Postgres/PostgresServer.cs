using System.Runtime.Versioning;
using Npgsql;

namespace SecretAdmin.Benchmarks.Postgres;

/// <summary>
/// The PostgreSQL server a benchmark puts its databases on: the one <see cref="Variable"/> names (a
/// connection string without a database, whose user may create databases), or else a
/// <see cref="ThrowAwayPostgres"/> started for the run and stopped with it. Creates, copies and drops
/// the benchmark's databases on it.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class PostgresServer : IAsyncDisposable
{
    public const string Variable = "SECRETADMIN_BENCH_POSTGRES";

    private readonly ThrowAwayPostgres? _owned;

    private PostgresServer(string connectionString, ThrowAwayPostgres? owned)
    {
        ConnectionString = connectionString;
        _owned = owned;
    }

    /// <summary>The server without a database. It may hold a password: for child processes' environment only, never a message.</summary>
    public string ConnectionString { get; }

    /// <summary>The throw-away cluster's postmaster; null for the server <see cref="Variable"/> names (maybe on another machine).</summary>
    public int? ProcessId => _owned?.ProcessId;

    /// <summary>The throw-away cluster's log; null for the server <see cref="Variable"/> names.</summary>
    public string? LogFile => _owned?.LogFile;

    /// <summary>Which server, for reports; never its password.</summary>
    public string Description => _owned is { } owned
        ? $"a throw-away PostgreSQL {owned.Version} cluster on 127.0.0.1:{owned.Port} (PostgreSQL's defaults but for the listening address, port and socket folder)"
        : $"the PostgreSQL server {Variable} names";

    /// <summary>The server in <see cref="Variable"/>, else a throw-away one started now with <paramref name="settings"/>.</summary>
    public static async Task<PostgresServer> StartAsync(params string[] settings)
    {
        if (FromEnvironmentOrNull() is { } given)
        {
            return given;
        }

        var owned = await ThrowAwayPostgres.StartAsync(settings);
        return new PostgresServer(owned.ConnectionString, owned);
    }

    /// <summary>For a child process: the server its parent set in <see cref="Variable"/>.</summary>
    public static PostgresServer FromEnvironment() =>
        FromEnvironmentOrNull() ?? throw new InvalidOperationException($"{Variable} is not set; the benchmark sets it for its child processes.");

    /// <summary>The server's version as it reports it (<c>server_version</c>).</summary>
    public async Task<string> VersionAsync() => (string)(await ScalarAsync("SHOW server_version"))!;

    public string ConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder(ConnectionString) { Database = database }.ConnectionString;

    /// <summary>Creates <paramref name="name"/>, empty or as a copy of <paramref name="template"/> (which no one may be connected to).</summary>
    public Task CreateDatabaseAsync(string name, string? template = null) =>
        ExecuteAsync(template is null ? $"CREATE DATABASE \"{name}\"" : $"CREATE DATABASE \"{name}\" TEMPLATE \"{template}\" STRATEGY FILE_COPY");

    public Task DropDatabaseAsync(string name) => ExecuteAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");

    public async Task<long> DatabaseSizeAsync(string name) => (long)(await ScalarAsync($"SELECT pg_database_size('{name}')"))!;

    /// <summary>Runs <paramref name="sql"/> on the maintenance database, on a connection of its own.</summary>
    public Task ExecuteAsync(string sql) => ScalarAsync(sql);

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_owned is not null)
        {
            await _owned.DisposeAsync();
        }
    }

    private static PostgresServer? FromEnvironmentOrNull() =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } given ? new PostgresServer(given, null) : null;

    private async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Database = "postgres", Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = 600;
        return await command.ExecuteScalarAsync();
    }
}
