using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using SecretAdmin.Data;

namespace SecretAdmin.Tests.Support;

/// <summary>
/// The real web app in-process, on its own data folder, with the repository root as content root as
/// in `dotnet run`; in the Development environment unless <paramref name="environment"/> names another.
/// </summary>
public sealed class SecretAdminAppFactory(TempDataDirectory data, string? environment = null) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        if (environment is not null)
        {
            builder.UseEnvironment(environment);
        }

        builder.UseContentRoot(RepositoryRoot.Path);
        builder.UseSetting(DataDirectory.Setting, data.Path);
    }
}
