using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using SecretAdmin.Data;
using SecretAdmin.Hosting;

namespace SecretAdmin.Benchmarks.Reseal;

/// <summary>
/// The services exactly as the command line builds them (<c>SecretAdmin keys reseal</c>): the app's
/// own <c>AddSecretAdminCore</c> on a data folder and a database engine, prepared by its start-up
/// (migrate, WAL on SQLite, key ring).
/// </summary>
internal static class BenchmarkHost
{
    /// <param name="settings">More of the app's settings, such as where the master key is.</param>
    public static async Task<IHost> StartAsync(string dataDirectory, BenchDatabase database, IEnumerable<KeyValuePair<string, string?>>? settings = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
        // A source, not an indexer assignment: AddSecretAdminCore adds sources, which reloads the providers.
        builder.Configuration.AddInMemoryCollection([new(DataDirectory.Setting, dataDirectory), .. database.Settings, .. settings ?? []]);
        builder.Logging.ClearProviders();
        builder.AddSecretAdminCore();
        var host = builder.Build();
        await host.Services.GetRequiredService<SecretAdminStartup>().PrepareAsync(CancellationToken.None);
        return host;
    }

    /// <summary>
    /// Disposes the host and closes every pooled connection, so the folder's files can be copied or
    /// removed, and a PostgreSQL database copied as a template or dropped.
    /// </summary>
    public static void Stop(IHost host)
    {
        host.Dispose();
        SqliteConnection.ClearAllPools();
        NpgsqlConnection.ClearAllPools();
    }
}
