using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace SecretAdmin.Data.Sqlite;

/// <summary>
/// Lets <c>dotnet ef migrations add Name --context SqliteSecretAdminDbContext --output-dir Data/Sqlite/Migrations</c>
/// build the model without starting the app.
/// </summary>
internal sealed class SqliteDesignTimeDbContextFactory : IDesignTimeDbContextFactory<SqliteSecretAdminDbContext>
{
    public SqliteSecretAdminDbContext CreateDbContext(string[] args)
    {
        var engine = new SqliteEngine(new DataDirectory("design-time"));
        return new SqliteSecretAdminDbContext(EngineContexts<SqliteSecretAdminDbContext>.Options(engine));
    }
}
