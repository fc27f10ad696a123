using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using SecretAdmin.Data;

namespace SecretAdmin.Hosting;

internal static class DataHostingExtensions
{
    public static IHostApplicationBuilder AddSecretAdminData(this IHostApplicationBuilder builder)
    {
        // Resolved from the final configuration, not read while the builder is still being set up.
        builder.Services.AddSingleton(services => DataDirectory.From(services.GetRequiredService<IConfiguration>()));
        builder.Services.AddSecretAdminDatabase();
        return builder;
    }

    /// <summary>The database of the registered <see cref="DataDirectory"/> (tests register their own folder).</summary>
    public static IServiceCollection AddSecretAdminDatabase(this IServiceCollection services)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddDbContextFactory<SecretAdminDbContext>((provider, options) => options
            .UseSqlite(ConnectionString(provider.GetRequiredService<DataDirectory>()))
            .AddInterceptors(new SqlitePragmaInterceptor()));
        return services;
    }

    private static string ConnectionString(DataDirectory dataDirectory) => new SqliteConnectionStringBuilder
    {
        DataSource = dataDirectory.DatabaseFile,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Pooling = true,
    }.ToString();
}
