using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SecretAdmin.Data;
using SecretAdmin.Features.Keys;

namespace SecretAdmin.Hosting;

internal static class DataProtectionHostingExtensions
{
    /// <summary>
    /// Cookies, antiforgery and Identity's tokens use Data Protection; its keys live in the database,
    /// each encrypted with the master key, for the web app and the commands alike.
    /// </summary>
    public static IServiceCollection AddSecretAdminDataProtection(this IServiceCollection services)
    {
        // AddKeys registers it too; the last registration is the one every service gets.
        services.TryAddSingleton<LoadedMasterKey>();
        services.AddDataProtection().SetApplicationName("SecretAdmin");
        services.AddOptions<KeyManagementOptions>()
            .Configure<IServiceProvider, LoadedMasterKey>((options, provider, masterKey) =>
            {
                // The database is reached at the first use of a key, not while the web app's
                // middleware is built: a database setting that cannot work is then refused by
                // start-up, with its message, before anything listens.
                options.XmlRepository = new SessionKeyXmlRepository(new(provider.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>));
                options.XmlEncryptor = new SessionKeyXmlEncryptor(masterKey);
            });
        return services;
    }
}
