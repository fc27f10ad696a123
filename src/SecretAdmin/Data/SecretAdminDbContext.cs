using Microsoft.EntityFrameworkCore;
using SecretAdmin.Features.Oidc;
using SecretAdmin.Features.Smtp;

namespace SecretAdmin.Data;

public sealed class SecretAdminDbContext(DbContextOptions<SecretAdminDbContext> options) : DbContext(options)
{
    public DbSet<OidcSettings> OidcSettings => Set<OidcSettings>();

    public DbSet<SmtpSettings> SmtpSettings => Set<SmtpSettings>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(SecretAdminDbContext).Assembly);
}
