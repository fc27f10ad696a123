using Microsoft.EntityFrameworkCore;

namespace SecretAdmin.Data.Sqlite;

/// <summary>The context on SQLite: its own type so that the SQLite migrations are found for it alone.</summary>
public sealed class SqliteSecretAdminDbContext(DbContextOptions<SqliteSecretAdminDbContext> options) : SecretAdminDbContext(options);
