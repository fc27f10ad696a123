using Microsoft.EntityFrameworkCore;
using SecretAdmin.Data;

namespace SecretAdmin.Features.Mfa.Totp;

/// <summary>
/// Accepts each TOTP time step at most once per user: one conditional UPDATE, so two requests
/// with the same code — in one process or two sharing the database — cannot both pass.
/// </summary>
public sealed class TotpStepLedger(IDbContextFactory<SecretAdminDbContext> dbContextFactory)
{
    /// <returns>True when <paramref name="step"/> is later than any step accepted before for this user, and is now recorded.</returns>
    public async Task<bool> TryAcceptAsync(string userId, long step, CancellationToken cancellationToken = default)
    {
        await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
        var updated = await db.Users
            .Where(u => u.Id == userId && (u.TotpLastAcceptedStep == null || u.TotpLastAcceptedStep < step))
            .ExecuteUpdateAsync(set => set.SetProperty(u => u.TotpLastAcceptedStep, step), cancellationToken);
        return updated == 1;
    }
}
