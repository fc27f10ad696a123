using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using SecretAdmin.Data;

namespace SecretAdmin.Tests.Support;

/// <summary>The real web app in-process, on its own data folder, with the repository root as content root as in `dotnet run`.</summary>
public sealed class SecretAdminAppFactory(TempDataDirectory data) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseContentRoot(RepositoryRoot.Path);
        builder.UseSetting(DataDirectory.Setting, data.Path);
    }
}
