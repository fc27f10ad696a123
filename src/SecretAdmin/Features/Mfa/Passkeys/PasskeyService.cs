using System.Buffers.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using SecretAdmin.Data;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Mail;
using SecretAdmin.Features.Users;

namespace SecretAdmin.Features.Mfa.Passkeys;

/// <summary>
/// A user's passkeys: list, add (after Identity verified the new credential), rename and remove.
/// Each change takes the write lock, is checked against the MFA policy inside it, and commits with
/// its audit entry and the owner's notice. Identity's <see cref="UserManager{TUser}"/> stores them.
/// </summary>
public sealed class PasskeyService(
    IServiceScopeFactory scopeFactory,
    IDbContextFactory<SecretAdminDbContext> dbContextFactory,
    MfaPolicyService policyService,
    AuditLog auditLog,
    MailOutbox outbox,
    TimeProvider timeProvider)
{
    public const int MaxPasskeys = 20;
    public const int MaxNameLength = 50;

    public async Task<IReadOnlyList<PasskeySummary>> ListAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.Passkeys.AsNoTracking().Where(p => p.UserId == userId)
            .Select(p => new { p.CredentialId, p.Data, LastUsed = EF.Property<DateTime?>(p, PasskeyEntityTypeConfiguration.LastUsedAtUtc) })
            .ToListAsync(cancellationToken);
        return rows
            .Select(r => new PasskeySummary(Base64Url.EncodeToString(r.CredentialId), r.Data.Name ?? "Passkey", r.Data.CreatedAt.UtcDateTime, r.LastUsed, r.Data.IsBackupEligible, r.Data.IsUserVerified))
            .OrderBy(p => p.CreatedAtUtc)
            .ToArray();
    }

    /// <summary>The name the owner gave, trimmed; or why it cannot be one.</summary>
    public static (string? Name, string? Error) CheckName(string? name)
    {
        var trimmed = name?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return (null, "Name the passkey, for example the device it is on.");
        }

        if (trimmed.Length > MaxNameLength)
        {
            return (null, $"Use at most {MaxNameLength} characters.");
        }

        return trimmed.Any(char.IsControl) ? (null, "Use letters, digits, spaces and punctuation only.") : (trimmed, null);
    }

    /// <summary>
    /// Why <paramref name="userId"/> cannot add a passkey now (before the browser is asked to make
    /// one), or null: the name, and the limit on how many one account has.
    /// </summary>
    public async Task<string?> WhyCannotAddAsync(string userId, string? name, CancellationToken cancellationToken = default)
    {
        if (CheckName(name).Error is { } error)
        {
            return error;
        }

        await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
        return await db.Passkeys.CountAsync(p => p.UserId == userId, cancellationToken) >= MaxPasskeys
            ? $"An account has at most {MaxPasskeys} passkeys. Remove one you no longer use first."
            : null;
    }

    /// <summary>Stores a passkey Identity verified for <paramref name="userId"/>, if the MFA policy allows it for their role.</summary>
    public async Task<UserChangeResult> AddAsync(AuditActor actor, string userId, UserPasskeyInfo passkey, string? name, CancellationToken cancellationToken = default)
    {
        var (checkedName, nameError) = CheckName(name);
        if (checkedName is null)
        {
            return UserChangeResult.Refused(nameError!);
        }

        var policy = await policyService.GetAsync(cancellationToken);
        return await ChangeAsync(userId, async (users, user, db, isAdmin) =>
        {
            if (policy.WhyPasskeyRefused(isAdmin, passkey.IsUserVerified, passkey.IsBackupEligible) is { } refused)
            {
                auditLog.Add(db, actor, AuditActions.PasskeyRefused, user.Email, ["Passkey"], refused.AuditReason);
                return (UserChangeResult.Refused(refused.Message), true);
            }

            if (await db.Passkeys.CountAsync(p => p.UserId == userId, cancellationToken) >= MaxPasskeys)
            {
                return (UserChangeResult.Refused($"An account has at most {MaxPasskeys} passkeys. Remove one you no longer use first."), false);
            }

            passkey.Name = checkedName;
            user.TwoFactorEnabled = true;
            auditLog.Add(db, actor, AuditActions.PasskeyAdded, user.Email, ["Passkey"]);
            AddNotice(db, SecurityNotices.PasskeyAdded(user.Email, Now, checkedName));
            return (ToResult(await users.AddOrUpdatePasskeyAsync(user, passkey)), true);
        }, cancellationToken);
    }

    public async Task<UserChangeResult> RenameAsync(AuditActor actor, string userId, string passkeyId, string? name, CancellationToken cancellationToken = default)
    {
        var (checkedName, nameError) = CheckName(name);
        if (checkedName is null)
        {
            return UserChangeResult.Refused(nameError!);
        }

        return await ChangeAsync(userId, async (users, user, db, _) =>
        {
            if (Decode(passkeyId) is not { } id || await users.GetPasskeyAsync(user, id) is not { } passkey)
            {
                return (UserChangeResult.Refused("That passkey is no longer there; reload the page."), false);
            }

            passkey.Name = checkedName;
            auditLog.Add(db, actor, AuditActions.PasskeyRenamed, user.Email, ["Passkey"]);
            return (ToResult(await users.AddOrUpdatePasskeyAsync(user, passkey)), true);
        }, cancellationToken);
    }

    /// <summary>Removes a passkey, unless the MFA policy needs it: the last passkey where one is required, or the last second factor where one is.</summary>
    public async Task<UserChangeResult> RemoveAsync(AuditActor actor, string userId, string passkeyId, CancellationToken cancellationToken = default)
    {
        var policy = await policyService.GetAsync(cancellationToken);
        return await ChangeAsync(userId, async (users, user, db, isAdmin) =>
        {
            if (Decode(passkeyId) is not { } id || await users.GetPasskeyAsync(user, id) is not { } passkey)
            {
                return (UserChangeResult.Refused("That passkey is no longer there; reload the page."), false);
            }

            var factors = await SecondFactors.OfAsync(db, userId, cancellationToken);
            if (policy.RequiresPasskey(isAdmin) && factors.Passkeys == 1)
            {
                return (UserChangeResult.Refused("The MFA policy requires a passkey for your account, and this is your last one. Add another passkey first."), false);
            }

            if (policy.RequiresMfa(isAdmin) && factors.Passkeys == 1 && !factors.Authenticator)
            {
                return (UserChangeResult.Refused("The MFA policy requires two-factor sign-in for your account, and this passkey is your last second factor. Set up an authenticator or another passkey first."), false);
            }

            var removed = await users.RemovePasskeyAsync(user, id);
            if (!removed.Succeeded)
            {
                return (ToResult(removed), false);
            }

            await SecondFactors.SettleAsync(db, user, cancellationToken);
            auditLog.Add(db, actor, AuditActions.PasskeyRemoved, user.Email, user.TwoFactorEnabled ? ["Passkey"] : ["Passkey", "RecoveryCodes"]);
            AddNotice(db, SecurityNotices.PasskeyRemoved(user.Email, Now, passkey.Name ?? "Passkey"));
            return (UserChangeResult.Success, true);
        }, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="change"/> for the user under the write lock, with Identity's user manager
    /// on the same context; saves and commits when it asks to (also to keep a refusal's audit entry).
    /// </summary>
    private async Task<UserChangeResult> ChangeAsync(
        string userId,
        Func<UserManager<SecretAdminUser>, SecretAdminUser, SecretAdminDbContext, bool, Task<(UserChangeResult Result, bool Save)>> change,
        CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<SecretAdminUser>>();
        var db = scope.ServiceProvider.GetRequiredService<SecretAdminDbContext>();
        await using var transaction = await db.BeginWriteLockedTransactionAsync(cancellationToken);
        if (await users.FindByIdAsync(userId) is not { } user)
        {
            return UserChangeResult.Refused("Your account no longer exists.");
        }

        var isAdmin = await UserAdminService.AdminIds(db).ContainsAsync(userId, cancellationToken);
        var (result, save) = await change(users, user, db, isAdmin);
        if (save)
        {
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        return result;
    }

    private DateTime Now => timeProvider.GetUtcNow().UtcDateTime;

    private void AddNotice(SecretAdminDbContext db, OutgoingMail? notice)
    {
        if (notice is not null)
        {
            outbox.Add(db, notice);
        }
    }

    private static byte[]? Decode(string passkeyId)
    {
        try
        {
            return Base64Url.DecodeFromChars(passkeyId);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static UserChangeResult ToResult(IdentityResult result) =>
        result.Succeeded ? UserChangeResult.Success : UserChangeResult.Refused(string.Join(" ", result.Errors.Select(e => e.Description)));
}
