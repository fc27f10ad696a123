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
        var engine = db.Engine.Name;
        var (applied, problem) = await db.Engine.CountAppliedMigrationsAsync(db, cancellationToken);
        if (applied is not { } count)
        {
            return HealthCheckResult.Unhealthy($"{engine}: {problem}");
        }

        var expected = db.Database.GetMigrations().LongCount();
        return count >= expected
            ? HealthCheckResult.Healthy($"{engine}: open, schema up to date")
            : HealthCheckResult.Unhealthy($"{engine}: open, but {expected - count} migrations are not applied");
    }
}
