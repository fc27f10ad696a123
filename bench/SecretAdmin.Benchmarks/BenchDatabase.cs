using SecretAdmin.Data;

namespace SecretAdmin.Benchmarks;

/// <summary>
/// The database engine a benchmark runs the app on, as the app is configured for it
/// (<see cref="DatabaseOptions"/>): SQLite in the data folder, or a PostgreSQL database named by its
/// connection string. The same harness runs on either; only the seeding and the copies differ.
/// </summary>
internal sealed record BenchDatabase(string Provider, string? ConnectionString)
{
    public static BenchDatabase Sqlite { get; } = new(DatabaseOptions.Sqlite, null);

    public bool IsPostgres => Provider == DatabaseOptions.Postgres;

    /// <summary>The engine's name for reports: "SQLite" or "PostgreSQL".</summary>
    public string Name => IsPostgres ? "PostgreSQL" : "SQLite";

    public static BenchDatabase Postgres(string connectionString) => new(DatabaseOptions.Postgres, connectionString);

    /// <summary>The app's settings for this engine, as configuration keys.</summary>
    public IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new($"{DatabaseOptions.Section}:{nameof(DatabaseOptions.Provider)}", Provider),
        new($"{DatabaseOptions.Section}:{nameof(DatabaseOptions.ConnectionString)}", ConnectionString),
    ];

    /// <summary>The same settings as environment variables for a child process (<c>SecretAdmin__Database__…</c>).</summary>
    public IEnumerable<KeyValuePair<string, string?>> EnvironmentVariables =>
        Settings.Where(s => s.Value is not null).Select(s => new KeyValuePair<string, string?>(s.Key.Replace(":", "__", StringComparison.Ordinal), s.Value));

    /// <summary>Reads <c>--engine sqlite|postgres</c> (SQLite when absent).</summary>
    public static string EngineOption(string[] args)
    {
        var at = Array.IndexOf(args, "--engine");
        var engine = at >= 0 && at + 1 < args.Length ? args[at + 1].ToLowerInvariant() : DatabaseOptions.Sqlite;
        return engine is DatabaseOptions.Sqlite or DatabaseOptions.Postgres
            ? engine
            : throw new ArgumentException($"--engine {args[at + 1]} is not an engine the benchmarks run on; use sqlite or postgres.");
    }
}
