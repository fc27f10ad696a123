using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SecretAdmin.Data;

namespace SecretAdmin.Hosting;

internal static class DataHostingExtensions
{
    public static IHostApplicationBuilder AddSecretAdminData(this IHostApplicationBuilder builder)
    {
        // Resolved from the final configuration, not read while the builder is still being set up.
        builder.Services.AddSingleton(services => DataDirectory.From(services.GetRequiredService<IConfiguration>()));
        builder.Services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section);
        builder.Services.AddSecretAdminDatabase();
        return builder;
    }

    /// <summary>
    /// The configured database (<see cref="DatabaseOptions"/>; SQLite in the registered
    /// <see cref="DataDirectory"/> when none is configured, as in tests that register their own folder).
    /// </summary>
    public static IServiceCollection AddSecretAdminDatabase(this IServiceCollection services)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddOptions<DatabaseOptions>();
        services.AddSingleton(provider =>
        {
            try
            {
                RefuseConnectionStringArgument();
                return DatabaseEngines.From(provider.GetRequiredService<IOptions<DatabaseOptions>>().Value, provider.GetRequiredService<DataDirectory>());
            }
            catch (InvalidDatabaseConfigurationException e)
            {
                throw new StartupRefusedException($"SecretAdmin cannot start: {e.Message}");
            }
        });
        // Contexts are rented from EF Core's pool: a sign-in uses several, and making each afresh was a
        // sizeable part of its CPU (docs/benchmarks.md, P3). A request's scope has one of its own.
        services.AddSingleton(provider => provider.GetRequiredService<IDatabaseEngine>().CreatePooledFactory(options => options.UseApplicationServiceProvider(provider)));
        services.AddScoped(provider => provider.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContext());
        return services;
    }

    /// <summary>
    /// A connection string holds a password, and a process's command line is visible to every user
    /// of the machine (<c>ps</c>, <c>/proc/*/cmdline</c>): it is taken from configuration files or the environment only.
    /// </summary>
    private static void RefuseConnectionStringArgument()
    {
        const string Key = $"{DatabaseOptions.Section}:{nameof(DatabaseOptions.ConnectionString)}";
        var named = Environment.GetCommandLineArgs().Any(a =>
            a.Contains("Database:ConnectionString", StringComparison.OrdinalIgnoreCase) || a.Contains("Database__ConnectionString", StringComparison.OrdinalIgnoreCase));
        if (named)
        {
            throw new InvalidDatabaseConfigurationException(
                $"{Key} was given as a command-line argument, where every user of the machine can read it; set it in the environment (SecretAdmin__Database__ConnectionString) or a configuration file the service alone reads, and remove the argument.");
        }
    }
}
