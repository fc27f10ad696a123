using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Logging;
using SecretAdmin.Data;
using SecretAdmin.Security;

namespace SecretAdmin.Tests.Support;

/// <summary>
/// The real web app in-process, on its own data folder, with the repository root as content root as
/// in `dotnet run`; in the Development environment unless <paramref name="environment"/> names another.
/// Its log lines are kept in <see cref="Logs"/>; its password hasher runs at <see cref="TestPasswordHashing"/>'s cost.
/// </summary>
/// <param name="masterKey">
/// Master key material written to the data folder's master key file before start, as an operator
/// restores one; without it, start-up uses the file there or, on a new folder, creates one.
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

        if (masterKey is not null)
        {
            OwnerOnlyFolder.Create(data.Path);
            OwnerOnlyFolder.Create(data.Data.KeyRingFolder);
            File.WriteAllText(data.Data.MasterKeyFile, Convert.ToBase64String(masterKey) + "\n");
            File.SetUnixFileMode(data.Data.MasterKeyFile, OwnerOnlyFile.Mode);
        }

        builder.UseContentRoot(RepositoryRoot.Path);
        builder.UseSetting(DataDirectory.Setting, data.Path);
        foreach (var (key, value) in data.DatabaseSettings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
        builder.ConfigureTestServices(services => services.UseTestCost());
    }
}
