using Microsoft.Extensions.Configuration.Memory;

namespace SecretAdmin.Hosting;

internal static class DefaultSettingsExtensions
{
    /// <summary>The embedded defaults; appsettings files, environment variables and arguments override them.</summary>
    private static readonly Dictionary<string, string?> Defaults = new()
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Warning",
        ["AllowedHosts"] = "*",
    };

    public static IHostApplicationBuilder AddSecretAdminDefaults(this IHostApplicationBuilder builder)
    {
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = Defaults });
        return builder;
    }
}
