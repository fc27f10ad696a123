using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using SecretAdmin.Data;

namespace SecretAdmin.Features.Health;

/// <summary>Opens a fresh connection (not a pooled one) to the existing database and reads its migration history.</summary>
internal sealed class DatabaseHealthCheck(IDbContextFactory<SecretAdminDbContext> dbContextFactory) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
        var connectionString = new SqliteConnectionStringBuilder(db.Database.GetConnectionString())
        {
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false,
        }.ToString();

        try
        {
            await using var connection = new SqliteConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM \"__EFMigrationsHistory\"";
            var applied = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken));
            var expected = db.Database.GetMigrations().LongCount();
            return applied >= expected
                ? HealthCheckResult.Healthy("open, schema up to date")
                : HealthCheckResult.Unhealthy($"open, but {expected - applied} migrations are not applied");
        }
        catch (SqliteException e)
        {
            return HealthCheckResult.Unhealthy($"cannot be opened (SQLite error {e.SqliteErrorCode})");
        }
    }
}
