using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using SecretAdmin.Access;
using SecretAdmin.Data;
using SecretAdmin.Features.Account;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Mail;
using SecretAdmin.Features.Mfa;
using SecretAdmin.Features.Settings;

namespace SecretAdmin.Features.Users;

/// <summary>
/// Creates and changes users for administrators, the setup page and the command line: one
/// transaction per change with its audit entry, and never without an enabled administrator
/// (the check and the change share the database's write lock, across processes and nodes too).
/// </summary>
public sealed class UserAdminService(
    IServiceScopeFactory scopeFactory,
    IDbContextFactory<SecretAdminDbContext> dbContextFactory,
    AuditLog auditLog,
    MailOutbox outbox,
    TimeProvider timeProvider)
{
    public const int MaxPageSize = 100;

    /// <summary>Records a completed sign-in, touching only that column (the user row may have changed since it was loaded).</summary>
    public async Task RecordSignInAsync(string userId, CancellationToken cancellationToken = default)
    {
        var now = timeProvider.GetUtcNow().UtcDateTime;
        await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
        await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(set => set.SetProperty(u => u.LastSignInAtUtc, now), cancellationToken);
    }

    public async Task<bool> AnyAdminExistsAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
        return await AdminIds(db).AnyAsync(cancellationToken);
    }

    public async Task<UserPage> SearchAsync(UserQuery query, CancellationToken cancellationToken = default)
    {
        await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
        var users = db.Users.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var search = query.Search.Trim().ToUpperInvariant();
            users = users.Where(u => u.NormalizedEmail!.Contains(search));
        }

        users = (query.SortBy, query.Descending) switch
        {
            (UserSort.LastSignIn, false) => users.OrderBy(u => u.LastSignInAtUtc).ThenBy(u => u.NormalizedEmail),
            (UserSort.LastSignIn, true) => users.OrderByDescending(u => u.LastSignInAtUtc).ThenBy(u => u.NormalizedEmail),
            (UserSort.Created, false) => users.OrderBy(u => u.CreatedAtUtc).ThenBy(u => u.NormalizedEmail),
            (UserSort.Created, true) => users.OrderByDescending(u => u.CreatedAtUtc).ThenBy(u => u.NormalizedEmail),
            (_, false) => users.OrderBy(u => u.NormalizedEmail),
            (_, true) => users.OrderByDescending(u => u.NormalizedEmail),
        };

        var pageSize = Math.Clamp(query.PageSize, 1, MaxPageSize);
        var total = await users.CountAsync(cancellationToken);
        var page = await users.Skip(Math.Max(query.Page, 0) * pageSize).Take(pageSize).ToListAsync(cancellationToken);
        var ids = page.Select(u => u.Id).ToArray();

        var roles = await (from userRole in db.UserRoles
                           join role in db.Roles on userRole.RoleId equals role.Id
                           where ids.Contains(userRole.UserId)
                           select new { userRole.UserId, role.Name })
            .ToListAsync(cancellationToken);
        var logins = await db.UserLogins.Where(l => ids.Contains(l.UserId))
            .Select(l => new { l.UserId, Name = l.ProviderDisplayName ?? l.LoginProvider })
            .ToListAsync(cancellationToken);

        var factors = await SecondFactors.OfAsync(db, ids, cancellationToken);
        var now = timeProvider.GetUtcNow();
        var items = page.Select(u => new UserSummary(
            u.Id,
            u.Email ?? u.UserName ?? u.Id,
            roles.Where(r => r.UserId == u.Id).Select(r => r.Name!).Order(StringComparer.Ordinal).ToArray(),
            factors[u.Id],
            logins.Where(l => l.UserId == u.Id).Select(l => l.Name).Distinct().ToArray(),
            u.LockoutEnd is { } end && end > now,
            u.IsDisabled,
            u.MustChangePassword,
            u.CreatedAtUtc,
            u.LastSignInAtUtc)).ToArray();
        return new UserPage(items, total);
    }

    /// <summary>Creates a user with a temporary password that must be changed at first sign-in.</summary>
    public Task<UserChangeResult> CreateAsync(AuditActor actor, string email, string temporaryPassword, bool isAdmin, CancellationToken cancellationToken = default) =>
        CreateCoreAsync(actor, email, temporaryPassword, isAdmin, mustChangePassword: true, AuditActions.UserCreated, onlyIfNoAdmin: false, cancellationToken);

    /// <summary>
    /// Creates a user without a password and queues, in the same transaction, a mail with a one-time
    /// link to choose one (valid seven days). Refused when mail with links cannot be sent.
    /// </summary>
    public Task<UserChangeResult> InviteAsync(AuditActor actor, string email, bool isAdmin, CancellationToken cancellationToken = default) =>
        CreateCoreAsync(actor, email, password: null, isAdmin, mustChangePassword: false, AuditActions.UserInvited, onlyIfNoAdmin: false, cancellationToken, invite: true);

    /// <summary>Creates an administrator with a password its owner chose (the command line).</summary>
    public Task<UserChangeResult> CreateAdminAsync(AuditActor actor, string email, string password, CancellationToken cancellationToken = default) =>
        CreateCoreAsync(actor, email, password, isAdmin: true, mustChangePassword: false, AuditActions.UserCreated, onlyIfNoAdmin: false, cancellationToken);

    /// <summary>Creates the first administrator; refused once any administrator exists.</summary>
    public Task<UserChangeResult> CreateFirstAdminAsync(AuditActor actor, string email, string password, CancellationToken cancellationToken = default) =>
        CreateCoreAsync(actor, email, password, isAdmin: true, mustChangePassword: false, AuditActions.SetupCompleted, onlyIfNoAdmin: true, cancellationToken);

    /// <summary>
    /// Creates a user at their first single sign-on: role User, no password (they sign in through
    /// the provider), linked to the provider's account.
    /// </summary>
    public Task<UserChangeResult> CreateFromSsoAsync(AuditActor actor, string email, UserLoginInfo login, CancellationToken cancellationToken = default) =>
        CreateCoreAsync(actor, email, password: null, isAdmin: false, mustChangePassword: false, AuditActions.UserCreated, onlyIfNoAdmin: false, cancellationToken, login);

    /// <summary>Links an existing user to a provider's account, so later single sign-ons find them by it.</summary>
    public Task<UserChangeResult> LinkSsoAsync(AuditActor actor, string userId, UserLoginInfo login, CancellationToken cancellationToken = default) =>
        ChangeAsync(actor, userId, guardLastAdmin: false, async (users, user, _) =>
            (ToResult(await users.AddLoginAsync(user, login)), AuditActions.SsoLinked), ["SsoLogin"], cancellationToken);

    public Task<UserChangeResult> SetDisabledAsync(AuditActor actor, string userId, bool disabled, CancellationToken cancellationToken = default) =>
        ChangeAsync(actor, userId, guardLastAdmin: disabled, async (users, user, _) =>
        {
            if (user.IsDisabled == disabled)
            {
                return (UserChangeResult.Success, null);
            }

            user.DisabledAtUtc = disabled ? timeProvider.GetUtcNow().UtcDateTime : null;
            var result = await users.UpdateAsync(user);
            if (result.Succeeded && disabled)
            {
                // A new security stamp ends the disabled user's open sessions.
                result = await users.UpdateSecurityStampAsync(user);
            }

            return (ToResult(result), disabled ? AuditActions.UserDisabled : AuditActions.UserEnabled);
        }, ["Disabled"], cancellationToken);

    public Task<UserChangeResult> SetAdminAsync(AuditActor actor, string userId, bool admin, CancellationToken cancellationToken = default) =>
        ChangeAsync(actor, userId, guardLastAdmin: !admin, async (users, user, _) =>
        {
            if (await users.IsInRoleAsync(user, Roles.Admin) == admin)
            {
                return (UserChangeResult.Success, null);
            }

            var result = admin ? await users.AddToRoleAsync(user, Roles.Admin) : await users.RemoveFromRoleAsync(user, Roles.Admin);
            if (result.Succeeded)
            {
                result = await users.UpdateSecurityStampAsync(user);
            }

            return (ToResult(result), admin ? AuditActions.AdminGranted : AuditActions.AdminRevoked);
        }, ["Roles"], cancellationToken);

    /// <summary>
    /// Removes every second factor of a user — authenticator, passkeys, recovery codes (they lost
    /// their phone or key), so they sign in with the password alone and enroll again. The
    /// administrator never sees a secret or a code.
    /// </summary>
    public Task<UserChangeResult> ResetMfaAsync(AuditActor actor, string userId, CancellationToken cancellationToken = default) =>
        ChangeAsync(actor, userId, guardLastAdmin: false, async (users, user, db) =>
        {
            if (!user.TwoFactorEnabled && !(await SecondFactors.OfAsync(db, user.Id, cancellationToken)).Any)
            {
                return (UserChangeResult.Success, null);
            }

            await SecondFactors.RemoveAllAsync(db, user, cancellationToken);
            var result = await users.UpdateAsync(user);
            if (result.Succeeded)
            {
                result = await users.UpdateSecurityStampAsync(user);
            }

            return (ToResult(result), AuditActions.MfaReset);
        }, ["Authenticator", "Passkeys", "RecoveryCodes"], cancellationToken);

    public Task<UserChangeResult> UnlockAsync(AuditActor actor, string userId, CancellationToken cancellationToken = default) =>
        ChangeAsync(actor, userId, guardLastAdmin: false, async (users, user, _) =>
        {
            var result = await users.SetLockoutEndDateAsync(user, null);
            if (result.Succeeded)
            {
                result = await users.ResetAccessFailedCountAsync(user);
            }

            return (ToResult(result), AuditActions.UserUnlocked);
        }, ["Lockout"], cancellationToken);

    private async Task<UserChangeResult> CreateCoreAsync(
        AuditActor actor,
        string email,
        string? password,
        bool isAdmin,
        bool mustChangePassword,
        string auditAction,
        bool onlyIfNoAdmin,
        CancellationToken cancellationToken,
        UserLoginInfo? login = null,
        bool invite = false)
    {
        if (TextInput.Problem("Email", email, 256) is { } problem)
        {
            return UserChangeResult.Refused(problem, nameof(email));
        }

        email = email.Trim();
        if (!new EmailAddressAttribute().IsValid(email) || email.Length is 0 or > 256)
        {
            return UserChangeResult.Refused("Enter a valid email address.", nameof(email));
        }

        await using var scope = scopeFactory.CreateAsyncScope();
        if (invite && await scope.ServiceProvider.GetRequiredService<MailAvailability>().WhyUnavailableAsync(cancellationToken) is { } noMail)
        {
            return UserChangeResult.Refused($"No invitation can be sent: {noMail} Set a temporary password instead.");
        }

        var users = scope.ServiceProvider.GetRequiredService<UserManager<SecretAdminUser>>();
        var db = scope.ServiceProvider.GetRequiredService<SecretAdminDbContext>();

        // The write lock is held from the check to the commit, so two first administrators cannot both pass it.
        await using var transaction = await db.BeginWriteLockedTransactionAsync(cancellationToken);
        if (onlyIfNoAdmin && await AdminIds(db).AnyAsync(cancellationToken))
        {
            return UserChangeResult.Refused("An administrator already exists; setup is closed. Sign in instead.");
        }

        var user = new SecretAdminUser
        {
            UserName = email,
            Email = email,
            EmailConfirmed = true,
            MustChangePassword = mustChangePassword,
            CreatedAtUtc = timeProvider.GetUtcNow().UtcDateTime,
        };
        var result = password is null ? await users.CreateAsync(user) : await users.CreateAsync(user, password);
        if (result.Succeeded)
        {
            result = await users.AddToRolesAsync(user, isAdmin ? [Roles.User, Roles.Admin] : [Roles.User]);
        }

        if (result.Succeeded && login is not null)
        {
            result = await users.AddLoginAsync(user, login);
        }

        if (!result.Succeeded)
        {
            return ToResult(result);
        }

        if (invite)
        {
            var token = await users.GenerateUserTokenAsync(user, InvitationTokenProvider.ProviderName, InvitationTokenProvider.Purpose);
            var link = scope.ServiceProvider.GetRequiredService<MailLinks>().To(AccountPaths.Invitation, ("user", user.Id), ("token", token));
            outbox.Add(db, AccountMails.Invitation(email, link, actor.Name, InvitationTokenProviderOptions.Lifespan));
        }

        auditLog.Add(db, actor, auditAction, email, password is not null ? ["Email", "Password", "Roles"] : invite ? ["Email", "Roles", "Invitation"] : ["Email", "Roles", "SsoLogin"]);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return UserChangeResult.Success;
    }

    private async Task<UserChangeResult> ChangeAsync(
        AuditActor actor,
        string userId,
        bool guardLastAdmin,
        Func<UserManager<SecretAdminUser>, SecretAdminUser, SecretAdminDbContext, Task<(UserChangeResult Result, string? AuditAction)>> change,
        string[] changedFields,
        CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<SecretAdminUser>>();
        var db = scope.ServiceProvider.GetRequiredService<SecretAdminDbContext>();

        // The write lock is held from the last-administrator check to the commit, across processes too.
        await using var transaction = await db.BeginWriteLockedTransactionAsync(cancellationToken);
        if (await users.FindByIdAsync(userId) is not { } user)
        {
            return UserChangeResult.Refused("That user no longer exists; reload the list.");
        }

        if (guardLastAdmin
            && await users.IsInRoleAsync(user, Roles.Admin)
            && !user.IsDisabled
            && !await EnabledAdminIds(db).AnyAsync(id => id != user.Id, cancellationToken))
        {
            return UserChangeResult.Refused($"{user.Email} is the last enabled administrator. Make someone else an administrator first.");
        }

        var (result, auditAction) = await change(users, user, db);
        if (!result.Succeeded || auditAction is null)
        {
            return result;
        }

        auditLog.Add(db, actor, auditAction, user.Email, changedFields);
        if (NoticeFor(auditAction, user.Email) is { } notice)
        {
            outbox.Add(db, notice);
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>The notice a change tells its user of, if any (a security change they did not make themselves).</summary>
    private OutgoingMail? NoticeFor(string auditAction, string? email)
    {
        var now = timeProvider.GetUtcNow().UtcDateTime;
        return auditAction switch
        {
            AuditActions.AdminGranted => SecurityNotices.AdminGranted(email, now),
            AuditActions.AdminRevoked => SecurityNotices.AdminRevoked(email, now),
            AuditActions.MfaReset => SecurityNotices.MfaReset(email, now),
            _ => null,
        };
    }

    /// <summary>The ids of users in the Admin role.</summary>
    internal static IQueryable<string> AdminIds(SecretAdminDbContext db) =>
        from userRole in db.UserRoles
        join role in db.Roles on userRole.RoleId equals role.Id
        where role.Name == Roles.Admin
        select userRole.UserId;

    /// <summary>The ids of enabled users in the Admin role.</summary>
    internal static IQueryable<string> EnabledAdminIds(SecretAdminDbContext db) =>
        from user in db.Users
        where user.DisabledAtUtc == null && AdminIds(db).Contains(user.Id)
        select user.Id;

    private static UserChangeResult ToResult(IdentityResult result)
    {
        if (result.Succeeded)
        {
            return UserChangeResult.Success;
        }

        var errors = result.Errors
            .GroupBy(e => e.Code switch
            {
                var c when c.StartsWith("Password", StringComparison.Ordinal) => "password",
                var c when c.Contains("Email", StringComparison.Ordinal) || c.Contains("UserName", StringComparison.Ordinal) => "email",
                _ => string.Empty,
            })
            .ToDictionary(g => g.Key, g => g.Select(e => e.Description).Distinct().ToArray());
        return new UserChangeResult(errors);
    }
}
