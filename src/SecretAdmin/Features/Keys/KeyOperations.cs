using Microsoft.EntityFrameworkCore;
using SecretAdmin.Data;

namespace SecretAdmin.Features.Keys;

/// <summary>The latest re-seal or import run, started here, in another tab or from the command line.</summary>
public sealed class KeyOperations(IDbContextFactory<SecretAdminDbContext> dbContextFactory, TimeProvider timeProvider)
{
    /// <summary>A run with no progress for this long, and not finished, was stopped (its process ended).</summary>
    public static readonly TimeSpan StalledAfter = TimeSpan.FromSeconds(30);

    public async Task<KeyOperationView?> LatestAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
        var latest = await db.KeyOperations.AsNoTracking().OrderByDescending(o => o.Id).FirstOrDefaultAsync(cancellationToken);
        return latest is null ? null : ToView(latest, timeProvider.GetUtcNow().UtcDateTime);
    }

    public static KeyOperationView ToView(KeyOperation operation, DateTime nowUtc)
    {
        var state = operation switch
        {
            { Failure: KeyOperation.Interrupted } => KeyOperationState.Interrupted,
            { Failure: not null } => KeyOperationState.Failed,
            { FinishedAtUtc: not null } => KeyOperationState.Finished,
            _ when nowUtc - operation.UpdatedAtUtc > StalledAfter => KeyOperationState.Interrupted,
            _ => KeyOperationState.Running,
        };
        return new KeyOperationView(
            operation.Id, operation.Kind, operation.StartedBy, operation.StartedAtUtc, operation.UpdatedAtUtc, operation.FinishedAtUtc,
            operation.Done, operation.Total, operation.Unreadable, state, operation.Failure);
    }
}
