using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using SecretAdmin.Data;

namespace SecretAdmin.Features.Users;

/// <summary>
/// Identity's Entity Framework store, with the two reads of every sign-in and session check
/// compiled (<see cref="CompiledQuery{TQuery}"/>): the user by id, and their role names. Identity's
/// own build a LINQ expression (the key's predicate, the join) at each call.
/// </summary>
public sealed class SecretAdminUserStore(SecretAdminDbContext context, IdentityErrorDescriber? describer = null)
    : UserStore<SecretAdminUser, IdentityRole, SecretAdminDbContext>(context, describer)
{
    private static readonly CompiledQuery<Func<SecretAdminDbContext, string, CancellationToken, Task<SecretAdminUser?>>> UserById = new(() =>
        EF.CompileAsyncQuery((SecretAdminDbContext db, string userId, CancellationToken cancellationToken) =>
            db.Users.SingleOrDefault(u => u.Id == userId)));

    private static readonly CompiledQuery<Func<SecretAdminDbContext, string, IAsyncEnumerable<string?>>> RoleNames = new(() =>
        EF.CompileAsyncQuery((SecretAdminDbContext db, string userId) =>
            from userRole in db.UserRoles
            join role in db.Roles on userRole.RoleId equals role.Id
            where userRole.UserId == userId
            select role.Name));

    /// <summary>As Identity's: the user this context already tracks, else the stored row (tracked).</summary>
    public override Task<SecretAdminUser?> FindByIdAsync(string userId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(userId);
        return Context.Users.Local.FindEntry(userId) is { } tracked
            ? Task.FromResult<SecretAdminUser?>(tracked.Entity)
            : UserById.For(Context)(Context, userId, cancellationToken);
    }

    public override async Task<IList<string>> GetRolesAsync(SecretAdminUser user, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(user);
        var names = new List<string>();
        await foreach (var name in RoleNames.For(Context)(Context, user.Id).WithCancellation(cancellationToken))
        {
            names.Add(name!);
        }

        return names;
    }
}
