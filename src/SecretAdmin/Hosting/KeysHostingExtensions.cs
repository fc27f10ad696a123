using SecretAdmin.Features.Keys;

namespace SecretAdmin.Hosting;

internal static class KeysHostingExtensions
{
    /// <summary>The web app follows key-ring changes made by the command line.</summary>
    public static IHostApplicationBuilder AddSecretAdminKeys(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHostedService<KeyRingReloader>();
        return builder;
    }
}
