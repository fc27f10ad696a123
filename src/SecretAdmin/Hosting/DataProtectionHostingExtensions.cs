using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using SecretAdmin.Data;

namespace SecretAdmin.Hosting;

internal static class DataProtectionHostingExtensions
{
    /// <summary>Cookies, antiforgery and Identity's tokens use Data Protection; its keys live in the data folder.</summary>
    public static IServiceCollection AddSecretAdminDataProtection(this IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName("SecretAdmin");
        services.AddOptions<KeyManagementOptions>()
            .Configure<DataDirectory, ILoggerFactory>((options, data, loggers) =>
                options.XmlRepository = new FileSystemXmlRepository(new DirectoryInfo(data.DataProtectionKeysFolder), loggers));
        return services;
    }
}
