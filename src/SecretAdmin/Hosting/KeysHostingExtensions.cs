using SecretAdmin.Features.Keys;

namespace SecretAdmin.Hosting;

internal static class KeysHostingExtensions
{
    /// <summary>The keys page's background runs, and the web app following key-ring changes made by the command line.</summary>
    public static IHostApplicationBuilder AddSecretAdminKeys(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHostedService<KeyRingReloader>();
        builder.Services.AddSingleton<KeyOperations>();
        builder.Services.AddSingleton<KeyJobRunner>();
        return builder;
    }
}
