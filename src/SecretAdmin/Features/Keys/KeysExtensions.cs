namespace SecretAdmin.Features.Keys;

public static class KeysExtensions
{
    /// <summary>The key ring's source and the key lifecycle, for the web app and the command line alike.</summary>
    public static IServiceCollection AddKeys(this IServiceCollection services)
    {
        services.AddSingleton<KeyRingSource>();
        services.AddSingleton<LoadedMasterKey>();
        services.AddSingleton<IPkcs11MasterKeys, Pkcs11MasterKeys>();
        services.AddSingleton<KeyLifecycleService>();
        return services;
    }

    /// <summary>For the web app: following a key ring changed by another process, and background re-seals started from the keys page.</summary>
    public static IHostApplicationBuilder AddKeyJobs(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHostedService<KeyRingReloader>();
        builder.Services.AddSingleton<KeyOperations>();
        builder.Services.AddSingleton<KeyJobRunner>();
        return builder;
    }
}
