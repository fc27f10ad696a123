using Microsoft.EntityFrameworkCore;
using SecretAdmin.Data;
using SecretAdmin.Features.Keys;
using SecretAdmin.Hosting;
using SecretAdmin.Security;

namespace SecretAdmin.Tests.Support;

/// <summary>
/// The services as the app registers them — users, audit log, settings, sealing — on the real
/// SQLite file of a temp data folder, migrated, with a master key file and the key ring's keys stored as data keys and loaded and a clock of the test's choosing.
/// </summary>
public static class TestServices
{
    public static ServiceProvider Build(TempDataDirectory data, TimeProvider? time = null, KeyRing? ring = null, Action<SealingOptions>? sealing = null)
    {
        data.Data.EnsureCreated();
        var services = new ServiceCollection();
        services.AddSingleton(data.Data);
        services.AddLogging();
        services.AddOptions<SealingOptions>().Configure(o => sealing?.Invoke(o));
        services.AddSingleton<SecretSealer>();
        services.AddSecretAdminDatabase();
        data.ConfigureDatabase(services);
        services.AddSecretAdminUserServices();
        services.UseTestCost();
        services.AddSecretAdminSettingsServices();
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        using (var db = provider.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContext())
        {
            db.Database.Migrate();
        }

        // The keys as start-up leaves them: a master key file, and the ring's keys in the database wrapped by it.
        var source = provider.GetRequiredService<MasterKeySource>();
        source.File.TryCreate();
        var master = source.Open(wrappedBy: null)!;
        ring ??= TestSealing.Ring(1);
        provider.GetRequiredService<DataKeyStore>().ImportAsync(ring, master, CancellationToken.None).GetAwaiter().GetResult();
        provider.GetRequiredService<LoadedMasterKey>().Use(master);
        provider.GetRequiredService<SecretSealer>().Use(ring);
        provider.GetRequiredService<KeyCustody>().ReloadAsync(CancellationToken.None).GetAwaiter().GetResult();
        return provider;
    }
}
