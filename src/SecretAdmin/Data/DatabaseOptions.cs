namespace SecretAdmin.Data;

/// <summary>
/// Which database engine holds the data: section <c>SecretAdmin:Database</c> (environment
/// <c>SecretAdmin__Database__Provider</c>, <c>SecretAdmin__Database__ConnectionString</c>).
/// SQLite in the data folder unless PostgreSQL is named.
/// </summary>
public sealed class DatabaseOptions
{
    public const string Section = "SecretAdmin:Database";

    public const string Sqlite = "sqlite";

    public const string Postgres = "postgres";

    /// <summary><c>sqlite</c> (the default) or <c>postgres</c>.</summary>
    public string Provider { get; set; } = Sqlite;

    /// <summary>
    /// For PostgreSQL, an Npgsql connection string (with its password: from configuration or the
    /// environment, never an argument). Unused for SQLite, whose file is in the data folder.
    /// </summary>
    public string? ConnectionString { get; set; }
}
