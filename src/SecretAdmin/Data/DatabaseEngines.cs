using SecretAdmin.Data.Postgres;
using SecretAdmin.Data.Sqlite;

namespace SecretAdmin.Data;

/// <summary>Picks the configured engine, or says what is wrong with the configuration.</summary>
public static class DatabaseEngines
{
    /// <exception cref="InvalidDatabaseConfigurationException">The provider is unknown, or PostgreSQL has no usable connection string.</exception>
    public static IDatabaseEngine From(DatabaseOptions options, DataDirectory dataDirectory) =>
        options.Provider.Trim().ToLowerInvariant() switch
        {
            "" or DatabaseOptions.Sqlite => new SqliteEngine(dataDirectory),
            DatabaseOptions.Postgres or "postgresql" => PostgresEngine.From(options.ConnectionString, dataDirectory),
            _ => throw new InvalidDatabaseConfigurationException(
                $"SecretAdmin:Database:Provider is '{options.Provider}', which is not an engine SecretAdmin runs on; set it to '{DatabaseOptions.Sqlite}' (the default) or '{DatabaseOptions.Postgres}'."),
        };
}
