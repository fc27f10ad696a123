using SecretAdmin.Features.Keys;
using SecretAdmin.Security;

namespace SecretAdmin.Hosting;

internal static class SealingHostingExtensions
{
    public static IHostApplicationBuilder AddSecretAdminSealing(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<SealingOptions>().BindConfiguration(SealingOptions.Section);
        builder.Services.AddOptions<MasterKeyOptions>().BindConfiguration(MasterKeyOptions.Section);
        builder.Services.AddSingleton<SecretSealer>();
        return builder;
    }
}
