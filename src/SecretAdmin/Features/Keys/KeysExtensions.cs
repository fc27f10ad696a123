using SecretAdmin.Security;

namespace SecretAdmin.Features.Keys;

public static class KeysExtensions
{
    /// <summary>The master key's source, the data keys' custody and the re-seal engine, for the web app and the command line alike.</summary>
    public static IServiceCollection AddKeys(this IServiceCollection services)
    {
        services.AddOptions<MasterKeyOptions>();
        services.AddSingleton<MasterKeySource>();
        services.AddSingleton<LoadedMasterKey>();
        services.AddSingleton<IPkcs11MasterKeys, Pkcs11MasterKeys>();
        services.AddSingleton<DataKeyStore>();
        services.AddSingleton<KeyCustody>();
        services.AddSingleton<ISealAllowance, SealAllowance>();
        services.AddSingleton<IKeyRingRefresh, KeyRingRefresh>();
        services.AddSingleton<SealedValueService>();
        return services;
    }

    /// <summary>
    /// For the web app: following data keys changed by another process, background re-seals started
    /// from the keys page, and one monitor that pushes the runs' progress to every open keys page.
    /// </summary>
    public static IHostApplicationBuilder AddKeyJobs(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHostedService<KeyRingReloader>();
        builder.Services.AddSingleton<KeyOperations>();
        builder.Services.AddSingleton<KeyOperationsMonitor>();
        builder.Services.AddHostedService(services => services.GetRequiredService<KeyOperationsMonitor>());
        builder.Services.AddSingleton<KeyJobRunner>();
        return builder;
    }
}
