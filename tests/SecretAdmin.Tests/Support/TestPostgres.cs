using Npgsql;
using SecretAdmin.Data;
using SecretAdmin.Data.Postgres;

namespace SecretAdmin.Tests.Support;

/// <summary>
/// The PostgreSQL server the tests run against when <c>SECRETADMIN_TEST_POSTGRES</c> holds its
/// connection string (tests/run.sh starts a throw-away one and sets it): then every
/// <see cref="TempDataDirectory"/> gets a database of its own, cloned from one migrated template.
/// Without it the tests run on SQLite.
/// </summary>
public static class TestPostgres
{
    public const string Variable = "SECRETADMIN_TEST_POSTGRES";

    /// <summary>
    /// The trait of tests about what only SQLite has (its files, their modes, WAL, databases of
    /// earlier versions); the run on PostgreSQL leaves them out (<c>--filter "Engine!=SQLite"</c>).
    /// </summary>
    public const string EngineTrait = "Engine";

    public const string SqliteOnly = "SQLite";

    /// <summary>
    /// The trait of tests about what only PostgreSQL has (its session locks); tests/run.sh leaves them out
    /// of the run on SQLite (<c>--filter "Engine!=PostgreSQL"</c>), and without a server they fail saying so.
    /// </summary>
    public const string PostgresOnly = "PostgreSQL";

    private static readonly SemaphoreSlim Creating = new(1, 1);
    private static readonly string TemplateName = $"secretadmin_template_{Environment.ProcessId}";
    private static bool _templateReady;

    /// <summary>The server's connection string (no database), or null when the tests run on SQLite.</summary>
    public static string? Server => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value ? value : null;

    public static bool IsActive => Server is not null;

    /// <summary>A new database, migrated, for one test; its connection string.</summary>
    public static string CreateDatabase()
    {
        var name = $"secretadmin_test_{Guid.NewGuid():N}";
        Creating.Wait();
        try
        {
            if (!_templateReady)
            {
                CreateTemplate();
                _templateReady = true;
            }

            Execute($"CREATE DATABASE \"{name}\" TEMPLATE \"{TemplateName}\" STRATEGY FILE_COPY");
        }
        finally
        {
            Creating.Release();
        }

        return ConnectionString(name);
    }

    public static void DropDatabase(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearAllPools();
        Execute($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
    }

    /// <summary>The whole database as <c>pg_dump</c> writes it (schema and data, plain SQL).</summary>
    public static byte[] Dump(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var pgDump = Directory.GetFiles("/usr/lib/postgresql", "pg_dump", SearchOption.AllDirectories).Order().LastOrDefault()
            ?? throw new InvalidOperationException("pg_dump is missing (it comes with PostgreSQL: apt-get install postgresql); tests/run.sh installs it.");
        var start = new System.Diagnostics.ProcessStartInfo(pgDump) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-h", builder.Host!, "-p", builder.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", builder.Username!, builder.Database! })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        using var output = new MemoryStream();
        var error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.BaseStream.CopyTo(output);
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"pg_dump failed: {error.Result}");
        return output.ToArray();
    }

    public static string ConnectionString(string database, bool pooling = true) =>
        new NpgsqlConnectionStringBuilder(Server) { Database = database, Pooling = pooling }.ConnectionString;

    private static void CreateTemplate()
    {
        Execute($"DROP DATABASE IF EXISTS \"{TemplateName}\" WITH (FORCE)");
        Execute($"CREATE DATABASE \"{TemplateName}\"");
        var engine = PostgresEngine.From(ConnectionString(TemplateName, pooling: false), new DataDirectory(Path.GetTempPath()));
        using (var db = engine.CreateContext())
        {
            engine.MigrateAsync(db, CancellationToken.None).GetAwaiter().GetResult();
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => Execute($"DROP DATABASE IF EXISTS \"{TemplateName}\" WITH (FORCE)");
    }

    private static void Execute(string sql)
    {
        using var connection = new NpgsqlConnection(ConnectionString("postgres", pooling: false));
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
