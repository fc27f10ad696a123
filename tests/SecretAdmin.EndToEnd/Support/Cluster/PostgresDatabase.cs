using Npgsql;

namespace SecretAdmin.EndToEnd.Support.Cluster;

/// <summary>
/// A database of its own, made empty on the PostgreSQL server that <see cref="ServerVariable"/> names (a
/// connection string without a database; tests/run.sh starts a throw-away server and sets it), and
/// dropped when disposed. The nodes migrate it themselves, as they would in production.
/// </summary>
public sealed class PostgresDatabase : IAsyncDisposable
{
    public const string ServerVariable = "SECRETADMIN_TEST_POSTGRES_SERVER";

    private readonly string _server;

    private PostgresDatabase(string server, string name)
    {
        _server = server;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    public string Name { get; }

    /// <summary>For the nodes' environment only: it may hold a password, so no message shows it.</summary>
    public string ConnectionString { get; }

    /// <summary>Creates the database; fails, saying what to set, when <see cref="ServerVariable"/> is missing.</summary>
    public static async Task<PostgresDatabase> CreateAsync()
    {
        var server = Environment.GetEnvironmentVariable(ServerVariable);
        if (string.IsNullOrWhiteSpace(server))
        {
            throw new InvalidOperationException(
                $"{ServerVariable} is not set: the several-nodes rehearsal needs a PostgreSQL server for its database. "
                + $"Set it to a connection string without a database, such as {ServerVariable}=\"Host=127.0.0.1;Port=5432;Username=postgres\" "
                + "(tests/run.sh starts a throw-away PostgreSQL and sets it).");
        }

        var database = new PostgresDatabase(server, $"secretadmin_e2e_{Guid.NewGuid():N}");
        await database.ExecuteAsync($"CREATE DATABASE \"{database.Name}\"");
        return database;
    }

    public async ValueTask DisposeAsync() => await ExecuteAsync($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)");

    private async Task ExecuteAsync(string sql)
    {
        var maintenance = new NpgsqlConnectionStringBuilder(_server) { Database = "postgres", Pooling = false }.ConnectionString;
        await using var connection = new NpgsqlConnection(maintenance);
        try
        {
            await connection.OpenAsync();
        }
        catch (Exception exception) when (exception is NpgsqlException or System.Net.Sockets.SocketException)
        {
            throw new InvalidOperationException(
                $"The PostgreSQL server in {ServerVariable} does not answer ({exception.Message}); start it or correct the variable.", exception);
        }

        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
