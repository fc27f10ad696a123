using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SecretAdmin.Access;
using SecretAdmin.Data;
using SecretAdmin.Features.Keys;
using SecretAdmin.Hosting;
using SecretAdmin.Security;

namespace SecretAdmin.ComponentTests.Support;

/// <summary>
/// The app's own database and user services on a fresh SQLite file in a temp folder, for pages
/// tested against the real thing rather than mocks. The folder is removed on dispose.
/// </summary>
public sealed class RealServices : IDisposable
{
    public RealServices()
    {
        Data = new DataDirectory(System.IO.Path.Combine(System.IO.Path.GetTempPath(), "secretadmin-component-tests", Guid.NewGuid().ToString("N")));
        Data.EnsureCreated();
    }

    public DataDirectory Data { get; }

    /// <summary>
    /// Registers the database, Identity, the audit log, the mail outbox, <c>UserAdminService</c> and <see cref="CurrentActor"/>.
    /// <see cref="CurrentActor"/> needs an <c>AuthenticationStateProvider</c>: call bUnit's <c>AddAuthorization()</c> too.
    /// </summary>
    public void AddTo(IServiceCollection services)
    {
        services.AddSingleton(Data);
        services.AddLogging();
        services.AddSecretAdminDatabase();
        services.AddSecretAdminUserServices();
        // Identity's hasher with a hundredth of the app's PBKDF2 iterations (each hash records its count):
        // the pages work as deployed at a fraction of the CPU.
        services.Configure<PasswordHasherOptions>(options => options.IterationCount = 1_000);
        // Identity's token providers need Data Protection, which the web app registers with sign-in
        // (AddSecretAdminSignIn); keys that live in memory are enough here and touch no folder.
        services.AddDataProtection().UseEphemeralDataProtectionProvider();
        services.AddHttpContextAccessor();
        services.AddScoped<CurrentActor>();

        // What the users' pages ask of mail (whether an invitation can be sent): the settings and the sealer under them.
        services.AddSingleton(Microsoft.Extensions.Options.Options.Create(new SealingOptions()));
        services.AddSingleton<SecretSealer>();
        services.AddSecretAdminSettingsServices();
    }

    /// <summary>Creates the schema, once the test context's service provider is built.</summary>
    public static async Task MigrateAsync(IServiceProvider services)
    {
        await using var db = await services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync();
        await db.Database.MigrateAsync();
    }

    /// <summary>
    /// The keys as start-up leaves them, once the schema exists: a master key file, a data key in the
    /// database wrapped by it, both loaded. Returns the master key.
    /// </summary>
    public AesMasterKey LoadKeys(IServiceProvider services)
    {
        var file = new MasterKeyFile(Data.MasterKeyFile);
        Assert.True(file.TryCreate());
        var master = new AesMasterKey(file.Read(), "aes", $"the master key file {file.Path}");
        var ring = KeyRing.CreateNew(DateTimeOffset.UtcNow);
        Assert.True(services.GetRequiredService<DataKeyStore>().ImportAsync(ring, master, CancellationToken.None).GetAwaiter().GetResult());
        services.GetRequiredService<LoadedMasterKey>().Use(master);
        services.GetRequiredService<SecretSealer>().Use(ring);
        return master;
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(Data.Path))
        {
            Directory.Delete(Data.Path, recursive: true);
        }
    }
}
