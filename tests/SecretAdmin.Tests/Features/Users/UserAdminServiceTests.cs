using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using SecretAdmin.Access;
using SecretAdmin.Data;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Users;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Features.Users;

/// <summary>Users created and changed through the real services on a real SQLite file.</summary>
public sealed class UserAdminServiceTests : IDisposable
{
    private const string Password = "Correct-Horse-42!";
    private static readonly AuditActor Actor = new("owner@example.test", "192.0.2.7");

    private readonly TempDataDirectory _temp = new();
    private readonly ManualTimeProvider _time = new();
    private readonly ServiceProvider _services;
    private readonly UserAdminService _users;

    public UserAdminServiceTests()
    {
        _services = TestServices.Build(_temp, _time);
        _users = _services.GetRequiredService<UserAdminService>();
    }

    public void Dispose()
    {
        _services.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task CreateAsync_ValidUser_ListedAsUserWhoMustChangePasswordAndAudited()
    {
        var result = await _users.CreateAsync(Actor, "  alice@example.test ", Password, isAdmin: false);

        Assert.True(result.Succeeded, result.Message);
        var user = Assert.Single((await _users.SearchAsync(new UserQuery())).Items);
        Assert.Equal("alice@example.test", user.Email);
        Assert.Equal([Roles.User], user.Roles);
        Assert.False(user.IsAdmin);
        Assert.True(user.MustChangePassword);
        Assert.False(user.IsDisabled);
        Assert.Equal(_time.GetUtcNow().UtcDateTime, user.CreatedAtUtc);

        var entry = Assert.Single(await AuditEntriesAsync());
        Assert.Equal(AuditActions.UserCreated, entry.Action);
        Assert.Equal(Actor.Name, entry.Actor);
        Assert.Equal(Actor.ClientIp, entry.ClientIp);
        Assert.Equal("alice@example.test", entry.Target);
        Assert.Equal("Email,Password,Roles", entry.ChangedFields);
        Assert.DoesNotContain(Password, string.Join('|', entry.Actor, entry.Action, entry.Target, entry.ChangedFields, entry.ClientIp), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateAsync_Admin_HasAdminAndUserRoles()
    {
        var result = await _users.CreateAsync(Actor, "root@example.test", Password, isAdmin: true);

        Assert.True(result.Succeeded, result.Message);
        var user = Assert.Single((await _users.SearchAsync(new UserQuery())).Items);
        Assert.Equal([Roles.Admin, Roles.User], user.Roles);
        Assert.True(user.IsAdmin);
        Assert.True(await _users.AnyAdminExistsAsync());
    }

    [Theory]
    [InlineData("not-an-email", Password, "email", "valid email")]
    [InlineData("", Password, "email", "valid email")]
    [InlineData("bob@example.test", "Short-Pw1a", "password", "at least 12 characters")]
    [InlineData("bob@example.test", "alllowercase-no-digit", "password", "digit")]
    public async Task CreateAsync_InvalidInput_RefusedUnderFieldAndNothingSaved(string email, string password, string field, string message)
    {
        var result = await _users.CreateAsync(Actor, email, password, isAdmin: true);

        Assert.False(result.Succeeded);
        var messages = Assert.Contains(field, result.Errors);
        Assert.NotEmpty(messages);
        Assert.Contains(messages, m => m.Contains(message, StringComparison.Ordinal));
        await AssertNothingSavedAsync(expectedUsers: 0);
    }

    [Fact]
    public async Task CreateAsync_DuplicateEmailInOtherCase_RefusedUnderEmailAndNothingSaved()
    {
        Assert.True((await _users.CreateAsync(Actor, "carol@example.test", Password, isAdmin: false)).Succeeded);

        var result = await _users.CreateAsync(Actor, "CAROL@example.test", Password, isAdmin: true);

        Assert.False(result.Succeeded);
        var messages = Assert.Contains("email", result.Errors);
        Assert.Contains(messages, m => m.Contains("already taken", StringComparison.Ordinal));
        Assert.Equal(1, (await _users.SearchAsync(new UserQuery())).TotalCount);
        Assert.False(await _users.AnyAdminExistsAsync());
        Assert.Single(await AuditEntriesAsync());
        await using var db = OpenDb();
        Assert.Equal(1, await db.Users.CountAsync());
        Assert.Equal(1, await db.UserRoles.CountAsync());
    }

    [Fact]
    public async Task CreateFirstAdminAsync_SecondCall_RefusedAsAlreadyExists()
    {
        Assert.False(await _users.AnyAdminExistsAsync());

        var first = await _users.CreateFirstAdminAsync(Actor, "first@example.test", Password);
        var second = await _users.CreateFirstAdminAsync(Actor, "second@example.test", Password);

        Assert.True(first.Succeeded, first.Message);
        Assert.True(await _users.AnyAdminExistsAsync());
        Assert.False(second.Succeeded);
        Assert.Contains("already exists", second.Message, StringComparison.Ordinal);
        var user = Assert.Single((await _users.SearchAsync(new UserQuery())).Items);
        Assert.Equal("first@example.test", user.Email);
        Assert.True(user.IsAdmin);
        Assert.False(user.MustChangePassword);
        var entry = Assert.Single(await AuditEntriesAsync());
        Assert.Equal(AuditActions.SetupCompleted, entry.Action);
    }

    [Fact]
    public async Task SetAdminAndSetDisabled_LastAdmin_RefusedAndNothingChanges()
    {
        var admin = await CreateAsync("only@example.test", admin: true);
        var stampBefore = await SecurityStampAsync(admin);

        var revoke = await _users.SetAdminAsync(Actor, admin, admin: false);
        var disable = await _users.SetDisabledAsync(Actor, admin, disabled: true);

        Assert.False(revoke.Succeeded);
        Assert.Contains("last enabled administrator", revoke.Message, StringComparison.Ordinal);
        Assert.False(disable.Succeeded);
        Assert.Contains("last enabled administrator", disable.Message, StringComparison.Ordinal);
        var user = await SummaryAsync(admin);
        Assert.True(user.IsAdmin);
        Assert.False(user.IsDisabled);
        Assert.Equal(stampBefore, await SecurityStampAsync(admin));
        Assert.Single(await AuditEntriesAsync());
    }

    [Fact]
    public async Task SetAdminAsync_TwoAdmins_FirstRevokeWorksSecondRefused()
    {
        var a = await CreateAsync("a@example.test", admin: true);
        var b = await CreateAsync("b@example.test", admin: true);

        var first = await _users.SetAdminAsync(Actor, a, admin: false);
        var second = await _users.SetAdminAsync(Actor, b, admin: false);

        Assert.True(first.Succeeded, first.Message);
        Assert.False(second.Succeeded);
        Assert.Contains("last enabled administrator", second.Message, StringComparison.Ordinal);
        Assert.False((await SummaryAsync(a)).IsAdmin);
        Assert.True((await SummaryAsync(b)).IsAdmin);
        var revoked = Assert.Single(await AuditEntriesAsync(AuditActions.AdminRevoked));
        Assert.Equal("a@example.test", revoked.Target);
        Assert.Equal("Roles", revoked.ChangedFields);
    }

    [Fact]
    public async Task SetAdminAsync_OtherAdminIsDisabled_RevokingLastEnabledAdminRefused()
    {
        var a = await CreateAsync("a@example.test", admin: true);
        var b = await CreateAsync("b@example.test", admin: true);
        Assert.True((await _users.SetDisabledAsync(Actor, b, disabled: true)).Succeeded);

        var revoke = await _users.SetAdminAsync(Actor, a, admin: false);
        var disable = await _users.SetDisabledAsync(Actor, a, disabled: true);

        Assert.False(revoke.Succeeded);
        Assert.Contains("last enabled administrator", revoke.Message, StringComparison.Ordinal);
        Assert.False(disable.Succeeded);
        Assert.True((await SummaryAsync(a)).IsAdmin);
        Assert.False((await SummaryAsync(a)).IsDisabled);
    }

    [Fact]
    public async Task SetAdminAsync_DisabledAdmin_CanBeRevokedWhileAnotherIsEnabled()
    {
        var a = await CreateAsync("a@example.test", admin: true);
        var b = await CreateAsync("b@example.test", admin: true);
        Assert.True((await _users.SetDisabledAsync(Actor, b, disabled: true)).Succeeded);

        var revoke = await _users.SetAdminAsync(Actor, b, admin: false);

        Assert.True(revoke.Succeeded, revoke.Message);
        Assert.False((await SummaryAsync(b)).IsAdmin);
        Assert.True((await SummaryAsync(a)).IsAdmin);
    }

    [Fact]
    public async Task SetAdminAsync_TwoAdminsRevokedConcurrently_ExactlyOneSucceeds()
    {
        var a = await CreateAsync("a@example.test", admin: true);
        var b = await CreateAsync("b@example.test", admin: true);

        var results = await Task.WhenAll(
            Task.Run(() => _users.SetAdminAsync(Actor, a, admin: false)),
            Task.Run(() => _users.SetAdminAsync(Actor, b, admin: false)));

        Assert.Single(results, r => r.Succeeded);
        Assert.Single(results, r => !r.Succeeded && r.Message.Contains("last enabled administrator", StringComparison.Ordinal));
        var admins = (await _users.SearchAsync(new UserQuery())).Items.Where(u => u.IsAdmin).ToArray();
        Assert.Single(admins);
        Assert.True(await _users.AnyAdminExistsAsync());
    }

    [Fact]
    public async Task SetDisabledAsync_DisableThenEnable_ChangesStampSetsAndClearsTimeAuditsOnce()
    {
        var user = await CreateAsync("dave@example.test", admin: false);
        var stampBefore = await SecurityStampAsync(user);
        _time.Advance(TimeSpan.FromMinutes(3));

        var disable = await _users.SetDisabledAsync(Actor, user, disabled: true);
        var disableAgain = await _users.SetDisabledAsync(Actor, user, disabled: true);

        Assert.True(disable.Succeeded, disable.Message);
        Assert.True(disableAgain.Succeeded, disableAgain.Message);
        Assert.NotEqual(stampBefore, await SecurityStampAsync(user));
        await using (var db = OpenDb())
        {
            var stored = await db.Users.AsNoTracking().SingleAsync(u => u.Id == user);
            Assert.Equal(_time.GetUtcNow().UtcDateTime, stored.DisabledAtUtc);
        }

        Assert.True((await SummaryAsync(user)).IsDisabled);
        var disabledEntry = Assert.Single(await AuditEntriesAsync(AuditActions.UserDisabled));
        Assert.Equal("Disabled", disabledEntry.ChangedFields);
        Assert.Equal("dave@example.test", disabledEntry.Target);

        var enable = await _users.SetDisabledAsync(Actor, user, disabled: false);
        var enableAgain = await _users.SetDisabledAsync(Actor, user, disabled: false);

        Assert.True(enable.Succeeded, enable.Message);
        Assert.True(enableAgain.Succeeded, enableAgain.Message);
        await using (var db = OpenDb())
        {
            Assert.Null((await db.Users.AsNoTracking().SingleAsync(u => u.Id == user)).DisabledAtUtc);
        }

        Assert.False((await SummaryAsync(user)).IsDisabled);
        Assert.Single(await AuditEntriesAsync(AuditActions.UserEnabled));
        Assert.Single(await AuditEntriesAsync(AuditActions.UserDisabled));
    }

    [Fact]
    public async Task SetAdminAsync_GrantTwice_AuditsOnceAndChangesStamp()
    {
        var user = await CreateAsync("erin@example.test", admin: false);
        var stampBefore = await SecurityStampAsync(user);

        Assert.True((await _users.SetAdminAsync(Actor, user, admin: true)).Succeeded);
        Assert.True((await _users.SetAdminAsync(Actor, user, admin: true)).Succeeded);

        Assert.True((await SummaryAsync(user)).IsAdmin);
        Assert.NotEqual(stampBefore, await SecurityStampAsync(user));
        Assert.Single(await AuditEntriesAsync(AuditActions.AdminGranted));
    }

    [Fact]
    public async Task SetDisabledAsync_UnknownUser_Refused()
    {
        var result = await _users.SetDisabledAsync(Actor, Guid.NewGuid().ToString(), disabled: true);

        Assert.False(result.Succeeded);
        Assert.Contains("no longer exists", result.Message, StringComparison.Ordinal);
        Assert.Empty(await AuditEntriesAsync());
    }

    [Fact]
    public async Task UnlockAsync_LockedOutUser_ClearsLockoutEndAndFailedCount()
    {
        var id = await CreateAsync("frank@example.test", admin: false);
        await using (var scope = _services.CreateAsyncScope())
        {
            var manager = scope.ServiceProvider.GetRequiredService<UserManager<SecretAdminUser>>();
            var user = (await manager.FindByIdAsync(id))!;
            Assert.True((await manager.AccessFailedAsync(user)).Succeeded);
            Assert.True((await manager.AccessFailedAsync(user)).Succeeded);
            Assert.True((await manager.SetLockoutEndDateAsync(user, _time.GetUtcNow().AddMinutes(5))).Succeeded);
        }

        Assert.True((await SummaryAsync(id)).IsLockedOut);
        await using (var db = OpenDb())
        {
            Assert.Equal(2, (await db.Users.AsNoTracking().SingleAsync(u => u.Id == id)).AccessFailedCount);
        }

        var result = await _users.UnlockAsync(Actor, id);

        Assert.True(result.Succeeded, result.Message);
        await using (var db = OpenDb())
        {
            var stored = await db.Users.AsNoTracking().SingleAsync(u => u.Id == id);
            Assert.Null(stored.LockoutEnd);
            Assert.Equal(0, stored.AccessFailedCount);
        }

        Assert.False((await SummaryAsync(id)).IsLockedOut);
        var entry = Assert.Single(await AuditEntriesAsync(AuditActions.UserUnlocked));
        Assert.Equal("Lockout", entry.ChangedFields);
    }

    [Fact]
    public async Task SearchAsync_PartOfEmailInOtherCase_FindsMatchesOnly()
    {
        await CreateAsync("alice.smith@example.test", admin: false);
        await CreateAsync("bob@example.test", admin: false);
        await CreateAsync("SMITHERS@corp.example", admin: false);

        var page = await _users.SearchAsync(new UserQuery(Search: "  Smith "));

        Assert.Equal(2, page.TotalCount);
        Assert.Equal(["alice.smith@example.test", "SMITHERS@corp.example"], page.Items.Select(u => u.Email));
    }

    [Fact]
    public async Task SearchAsync_PageSizeTwoOverFiveUsers_PagesWithTotalCount()
    {
        foreach (var name in new[] { "e", "c", "a", "d", "b" })
        {
            await CreateAsync($"{name}@example.test", admin: false);
        }

        var first = await _users.SearchAsync(new UserQuery(Page: 0, PageSize: 2));
        var third = await _users.SearchAsync(new UserQuery(Page: 2, PageSize: 2));

        Assert.Equal(5, first.TotalCount);
        Assert.Equal(["a@example.test", "b@example.test"], first.Items.Select(u => u.Email));
        Assert.Equal(5, third.TotalCount);
        Assert.Equal(["e@example.test"], third.Items.Select(u => u.Email));
    }

    [Fact]
    public async Task SearchAsync_SortByEmailDescending_ReversesOrder()
    {
        foreach (var name in new[] { "b", "c", "a" })
        {
            await CreateAsync($"{name}@example.test", admin: false);
        }

        var page = await _users.SearchAsync(new UserQuery(SortBy: UserSort.Email, Descending: true));

        Assert.Equal(["c@example.test", "b@example.test", "a@example.test"], page.Items.Select(u => u.Email));
    }

    [Fact]
    public async Task SearchAsync_SortByCreated_FollowsCreationTime()
    {
        await CreateAsync("b@example.test", admin: false);
        _time.Advance(TimeSpan.FromMinutes(1));
        await CreateAsync("c@example.test", admin: false);
        _time.Advance(TimeSpan.FromMinutes(1));
        await CreateAsync("a@example.test", admin: false);

        var oldestFirst = await _users.SearchAsync(new UserQuery(SortBy: UserSort.Created));
        var newestFirst = await _users.SearchAsync(new UserQuery(SortBy: UserSort.Created, Descending: true));

        Assert.Equal(["b@example.test", "c@example.test", "a@example.test"], oldestFirst.Items.Select(u => u.Email));
        Assert.Equal(["a@example.test", "c@example.test", "b@example.test"], newestFirst.Items.Select(u => u.Email));
    }

    [Fact]
    public async Task SearchAsync_LockoutEndInFutureOrPast_IsLockedOutOnlyForFuture()
    {
        var locked = await CreateAsync("locked@example.test", admin: false);
        var expired = await CreateAsync("expired@example.test", admin: false);
        var free = await CreateAsync("free@example.test", admin: false);
        await using (var scope = _services.CreateAsyncScope())
        {
            var manager = scope.ServiceProvider.GetRequiredService<UserManager<SecretAdminUser>>();
            await manager.SetLockoutEndDateAsync((await manager.FindByIdAsync(locked))!, _time.GetUtcNow().AddMinutes(5));
            await manager.SetLockoutEndDateAsync((await manager.FindByIdAsync(expired))!, _time.GetUtcNow().AddMinutes(-1));
        }

        Assert.True((await SummaryAsync(locked)).IsLockedOut);
        Assert.False((await SummaryAsync(expired)).IsLockedOut);
        Assert.False((await SummaryAsync(free)).IsLockedOut);

        _time.Advance(TimeSpan.FromMinutes(6));

        Assert.False((await SummaryAsync(locked)).IsLockedOut);
    }

    private async Task<string> CreateAsync(string email, bool admin)
    {
        var result = await _users.CreateAsync(Actor, email, Password, admin);
        Assert.True(result.Succeeded, result.Message);
        await using var db = OpenDb();
        return (await db.Users.AsNoTracking().SingleAsync(u => u.Email == email)).Id;
    }

    private async Task<UserSummary> SummaryAsync(string id) =>
        (await _users.SearchAsync(new UserQuery(PageSize: UserAdminService.MaxPageSize))).Items.Single(u => u.Id == id);

    private async Task<string?> SecurityStampAsync(string id)
    {
        await using var db = OpenDb();
        return (await db.Users.AsNoTracking().SingleAsync(u => u.Id == id)).SecurityStamp;
    }

    private async Task<IReadOnlyList<AuditEntry>> AuditEntriesAsync(string? action = null) =>
        (await _services.GetRequiredService<AuditLog>().SearchAsync(new AuditQuery(Action: action, PageSize: AuditLog.MaxPageSize))).Items;

    private async Task AssertNothingSavedAsync(int expectedUsers)
    {
        Assert.Equal(expectedUsers, (await _users.SearchAsync(new UserQuery())).TotalCount);
        Assert.Empty(await AuditEntriesAsync());
        Assert.False(await _users.AnyAdminExistsAsync());
        await using var db = OpenDb();
        Assert.Equal(expectedUsers, await db.Users.CountAsync());
        Assert.Equal(0, await db.UserRoles.CountAsync());
    }

    private SecretAdminDbContext OpenDb() =>
        _services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContext();
}
