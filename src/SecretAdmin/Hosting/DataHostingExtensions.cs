using Microsoft.EntityFrameworkCore;
using SecretAdmin.Data;
using SecretAdmin.Data.Sqlite;

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
        services.AddSingleton<IDatabaseEngine>(provider => new SqliteEngine(provider.GetRequiredService<DataDirectory>()));
        services.AddDbContextFactory<SecretAdminDbContext, SecretAdminDbContextFactory>((provider, options) =>
            provider.GetRequiredService<IDatabaseEngine>().Configure(options));
        return services;
    }
}
