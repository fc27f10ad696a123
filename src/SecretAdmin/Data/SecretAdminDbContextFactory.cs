using Microsoft.EntityFrameworkCore;

namespace SecretAdmin.Data;

/// <summary>Makes each context the configured engine's own type, on the options EF Core built for it.</summary>
internal sealed class SecretAdminDbContextFactory(IDatabaseEngine engine, DbContextOptions<SecretAdminDbContext> options) : IDbContextFactory<SecretAdminDbContext>
{
    public SecretAdminDbContext CreateDbContext() => engine.CreateContext(options);
}
