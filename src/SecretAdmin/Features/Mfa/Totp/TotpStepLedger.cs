using Microsoft.EntityFrameworkCore;
using SecretAdmin.Data;
using SecretAdmin.Features.Users;

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
        // SQL, not ExecuteUpdate: this runs at every code check, and EF Core builds an ExecuteUpdate's
        // expression at each call (it cannot compile one), which cost more CPU than the statement.
        var last = db.Column<SecretAdminUser>(nameof(SecretAdminUser.TotpLastAcceptedStep));
        var accept = $"UPDATE {db.Table<SecretAdminUser>()} SET {last} = {{0}} " +
            $"WHERE {db.Column<SecretAdminUser>(nameof(SecretAdminUser.Id))} = {{1}} AND ({last} IS NULL OR {last} < {{0}})";
        return await db.Database.ExecuteSqlRawAsync(accept, [step, userId], cancellationToken) == 1;
    }
}
