using Microsoft.EntityFrameworkCore;
using SecretAdmin.Data;
using SecretAdmin.Hosting;

namespace SecretAdmin.Tests.Support;

/// <summary>
/// The users and audit services as the app registers them, on the real SQLite file of a temp
/// data folder, migrated; with a clock of the test's choosing.
/// </summary>
public static class TestServices
{
    public static ServiceProvider Build(TempDataDirectory data, TimeProvider? time = null)
    {
        data.Data.EnsureCreated();
        var services = new ServiceCollection();
        services.AddSingleton(data.Data);
        services.AddLogging();
        services.AddSecretAdminDatabase();
        services.AddSecretAdminUserServices();
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        using var db = provider.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContext();
        db.Database.Migrate();
        return provider;
    }
}
