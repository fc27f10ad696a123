using Microsoft.EntityFrameworkCore;
using SecretAdmin.Data;
using SecretAdmin.Hosting;
using SecretAdmin.Security;

namespace SecretAdmin.Tests.Support;

/// <summary>The settings services as the app registers them, on a temp data folder's real SQLite file, with a loaded key ring.</summary>
public static class SettingsServices
{
    public static ServiceProvider Build(TempDataDirectory data, KeyRing? ring = null)
    {
        data.Data.EnsureCreated();
        var services = new ServiceCollection();
        services.AddSingleton(data.Data);
        services.AddLogging();
        services.AddOptions<SealingOptions>();
        services.AddSingleton<SecretSealer>();
        services.AddSecretAdminDatabase();
        services.AddSecretAdminUserServices();
        services.AddSecretAdminSettingsServices();
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        using (var db = provider.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContext())
        {
            db.Database.Migrate();
        }

        provider.GetRequiredService<SecretSealer>().Use(ring ?? TestSealing.Ring(1));
        return provider;
    }
}
