using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using SecretAdmin.Data;

namespace SecretAdmin.Features.Account;

/// <summary>Reads the signed-in user's own profile for the account page.</summary>
public sealed class AccountProfileService(IDbContextFactory<SecretAdminDbContext> dbContextFactory)
{
    /// <returns>The profile, or <c>null</c> when <paramref name="user"/> is anonymous or no longer exists.</returns>
    public async Task<AccountProfile?> GetAsync(ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        if (user.Identity?.IsAuthenticated != true || user.FindFirstValue(ClaimTypes.NameIdentifier) is not { Length: > 0 } userId)
        {
            return null;
        }

        await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);

        // Only the columns the page shows leave the database.
        var row = await db.Users.AsNoTracking()
            .Where(u => u.Id == userId)
            .Select(u => new { u.Email, u.UserName, u.TwoFactorEnabled, u.CreatedAtUtc, u.LastSignInAtUtc })
            .SingleOrDefaultAsync(cancellationToken);
        if (row is null)
        {
            return null;
        }

        var roles = await (from userRole in db.UserRoles
                           join role in db.Roles on userRole.RoleId equals role.Id
                           where userRole.UserId == userId
                           select role.Name!)
            .ToListAsync(cancellationToken);

        return new AccountProfile(
            row.Email ?? row.UserName ?? userId,
            roles.Order(StringComparer.Ordinal).ToArray(),
            row.TwoFactorEnabled,
            row.CreatedAtUtc,
            row.LastSignInAtUtc);
    }
}
