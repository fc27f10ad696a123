using Microsoft.EntityFrameworkCore;

namespace SecretAdmin.Data.Postgres;

/// <summary>The context on PostgreSQL: its own type so that the PostgreSQL migrations are found for it alone.</summary>
public sealed class PostgresSecretAdminDbContext(DbContextOptions<PostgresSecretAdminDbContext> options) : SecretAdminDbContext(options);
