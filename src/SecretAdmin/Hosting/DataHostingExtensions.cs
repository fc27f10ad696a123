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
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddDbContextFactory<SecretAdminDbContext>((services, options) => options
            .UseSqlite(ConnectionString(services.GetRequiredService<DataDirectory>()))
            .AddInterceptors(new SqlitePragmaInterceptor()));
        return builder;
    }

    private static string ConnectionString(DataDirectory dataDirectory) => new SqliteConnectionStringBuilder
    {
        DataSource = dataDirectory.DatabaseFile,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Pooling = true,
    }.ToString();
}
