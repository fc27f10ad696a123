using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace SecretAdmin.Data;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without starting the app.</summary>
internal sealed class SecretAdminDesignTimeDbContextFactory : IDesignTimeDbContextFactory<SecretAdminDbContext>
{
    public SecretAdminDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SecretAdminDbContext>().UseSqlite("Data Source=design-time.db").Options);
}
