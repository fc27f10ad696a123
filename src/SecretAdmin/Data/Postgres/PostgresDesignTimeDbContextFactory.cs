using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace SecretAdmin.Data.Postgres;

/// <summary>
/// Lets <c>dotnet ef migrations add Name --context PostgresSecretAdminDbContext --output-dir Data/Postgres/Migrations</c>
/// build the model without starting the app or reaching a server.
/// </summary>
internal sealed class PostgresDesignTimeDbContextFactory : IDesignTimeDbContextFactory<PostgresSecretAdminDbContext>
{
    public PostgresSecretAdminDbContext CreateDbContext(string[] args)
    {
        var engine = PostgresEngine.From("Host=localhost;Database=design_time", new DataDirectory("design-time"));
        return new PostgresSecretAdminDbContext(EngineContexts<PostgresSecretAdminDbContext>.Options(engine));
    }
}
