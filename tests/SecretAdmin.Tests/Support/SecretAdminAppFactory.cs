using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SecretAdmin.Data;
using SecretAdmin.Features.Keys;
using SecretAdmin.Security;

namespace SecretAdmin.Tests.Support;

/// <summary>
/// The real web app in-process, on its own data folder, with the repository root as content root as
/// in `dotnet run`; in the Development environment unless <paramref name="environment"/> names another.
/// Its log lines are kept in <see cref="Logs"/>.
/// </summary>
/// <param name="masterKey">
/// Master key material the app uses instead of the one start-up loaded (a data folder restored without
/// its master key); without it, the app uses start-up's master key or, when start-up loaded none,
/// <see cref="TempDataDirectory.MasterKey"/> of <paramref name="data"/>.
/// </param>
public sealed class SecretAdminAppFactory(TempDataDirectory data, string? environment = null, byte[]? masterKey = null) : WebApplicationFactory<Program>
{
    public LogCapture Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        if (environment is not null)
        {
            builder.UseEnvironment(environment);
        }

        builder.UseContentRoot(RepositoryRoot.Path);
        builder.UseSetting(DataDirectory.Setting, data.Path);
        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
    }

    /// <summary>Starts the host — start-up has run — and sets the master key before the first request reads a session key.</summary>
    protected override IHost CreateHost(IHostBuilder builder)
    {
        var host = base.CreateHost(builder);
        var loaded = host.Services.GetRequiredService<LoadedMasterKey>();
        if (masterKey is not null)
        {
            loaded.Use(new AesMasterKey(masterKey, "file", "the test's master key"));
        }
        else if (!loaded.IsAvailable)
        {
            loaded.Use(new AesMasterKey(data.MasterKey, "file", $"the test master key of {data.Path}"));
        }

        return host;
    }
}
