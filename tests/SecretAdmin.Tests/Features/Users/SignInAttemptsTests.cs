using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using SecretAdmin.Data;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Mfa;
using SecretAdmin.Features.Users;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Features.Users;

/// <summary>The failed-attempt count of a user's row, claimed before each check, on a real SQLite file.</summary>
public sealed class SignInAttemptsTests : IAsyncLifetime
{
    private readonly TempDataDirectory _temp = new();
    private readonly ManualTimeProvider _time = new();
    private ServiceProvider _services = default!;
    private SignInAttempts _attempts = default!;
    private string _userId = "";

    public async Task InitializeAsync()
    {
        _services = TestServices.Build(_temp, _time);
        _attempts = _services.GetRequiredService<SignInAttempts>();
        var users = _services.GetRequiredService<UserAdminService>();
        Assert.True((await users.CreateAsync(AuditActor.Cli, "ada@example.test", "Correct-Horse-42!", isAdmin: false)).Succeeded);
        _userId = (await users.SearchAsync(new("ada"))).Items.Single().Id;
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        _temp.Dispose();
    }

    private async Task<SecretAdminUser> StoredAsync()
    {
        await using var db = await _services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync();
        return await db.Users.AsNoTracking().SingleAsync(u => u.Id == _userId);
    }

    private async Task SetPolicyAsync(int maxFailedAttempts, int lockoutMinutes)
    {
        var policy = _services.GetRequiredService<MfaPolicyService>();
        var form = new MfaPolicyForm { MaxFailedAttempts = maxFailedAttempts, LockoutMinutes = lockoutMinutes };
        var saved = await policy.SaveAsync(AuditActor.Cli, form, (await policy.GetAsync()).Version);
        Assert.True(saved.Succeeded);
    }

    [Fact]
    public async Task ClaimAsync_PolicysNumberOfSlots_TheLastLocksForThePolicysMinutes()
    {
        await SetPolicyAsync(maxFailedAttempts: 3, lockoutMinutes: 15);

        var claims = new List<SignInAttempt>();
        for (var i = 0; i < 4; i++)
        {
            claims.Add(await _attempts.ClaimAsync(_userId));
        }

        Assert.Equal([true, true, true, false], claims.Select(c => c.Granted));
        Assert.Equal([false, false, true, false], claims.Select(c => c.LocksOut));
        var stored = await StoredAsync();
        Assert.Equal(_time.GetUtcNow().AddMinutes(15), stored.LockoutEnd);
        Assert.Equal(0, stored.AccessFailedCount);
    }

    [Fact]
    public async Task ClaimAsync_HundredAtOnce_GrantsExactlyThePolicysNumber()
    {
        var claims = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Task.Run(() => _attempts.ClaimAsync(_userId))));

        Assert.Equal(5, claims.Count(c => c.Granted));
        Assert.Single(claims, c => c.LocksOut);
        Assert.True((await StoredAsync()).LockoutEnd > _time.GetUtcNow());
    }

    [Fact]
    public async Task ClaimAsync_AfterTheLockEnds_CountsFromOneAgain()
    {
        for (var i = 0; i < 5; i++)
        {
            await _attempts.ClaimAsync(_userId);
        }

        Assert.False((await _attempts.ClaimAsync(_userId)).Granted);
        _time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));

        var again = await _attempts.ClaimAsync(_userId);

        Assert.True(again.Granted);
        Assert.False(again.LocksOut);
        Assert.Equal(1, (await StoredAsync()).AccessFailedCount);
    }

    [Fact]
    public async Task SucceededAsync_AfterFailures_StartsTheCountAgain()
    {
        await _attempts.ClaimAsync(_userId);
        await _attempts.ClaimAsync(_userId);
        var right = await _attempts.ClaimAsync(_userId);

        await _attempts.SucceededAsync(right);

        Assert.Equal(0, (await StoredAsync()).AccessFailedCount);
    }

    [Fact]
    public async Task SucceededAsync_OnTheSlotThatLocked_LiftsThatLock()
    {
        for (var i = 0; i < 4; i++)
        {
            await _attempts.ClaimAsync(_userId);
        }

        var last = await _attempts.ClaimAsync(_userId);
        Assert.True(last.LocksOut);

        await _attempts.SucceededAsync(last);

        var stored = await StoredAsync();
        Assert.Null(stored.LockoutEnd);
        Assert.Equal(0, stored.AccessFailedCount);
    }

    [Fact]
    public async Task SignedInAsync_AfterFailures_StartsTheCountAgainAndRecordsTheTime()
    {
        await _attempts.ClaimAsync(_userId);
        var right = await _attempts.ClaimAsync(_userId);
        var stampBefore = (await StoredAsync()).ConcurrencyStamp;

        await _attempts.SignedInAsync(right);

        var stored = await StoredAsync();
        Assert.Equal(0, stored.AccessFailedCount);
        Assert.Equal(_time.GetUtcNow().UtcDateTime, stored.LastSignInAtUtc);
        Assert.NotEqual(stampBefore, stored.ConcurrencyStamp);
    }

    [Fact]
    public async Task SignedInAsync_NothingCounted_RecordsTheTimeAndKeepsTheStamp()
    {
        await using (var db = await _services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync())
        {
            await db.Users.Where(u => u.Id == _userId).ExecuteUpdateAsync(set => set.SetProperty(u => u.LockoutEnabled, false));
        }

        var right = await _attempts.ClaimAsync(_userId);
        var stampBefore = (await StoredAsync()).ConcurrencyStamp;

        await _attempts.SignedInAsync(right);

        var stored = await StoredAsync();
        Assert.Equal(_time.GetUtcNow().UtcDateTime, stored.LastSignInAtUtc);
        Assert.Equal(stampBefore, stored.ConcurrencyStamp);
    }

    [Fact]
    public async Task SignedInAsync_OnTheSlotThatLocked_LiftsThatLockAndRecordsTheTime()
    {
        for (var i = 0; i < 4; i++)
        {
            await _attempts.ClaimAsync(_userId);
        }

        var last = await _attempts.ClaimAsync(_userId);
        Assert.True(last.LocksOut);

        await _attempts.SignedInAsync(last);

        var stored = await StoredAsync();
        Assert.Null(stored.LockoutEnd);
        Assert.Equal(0, stored.AccessFailedCount);
        Assert.Equal(_time.GetUtcNow().UtcDateTime, stored.LastSignInAtUtc);
    }

    [Fact]
    public async Task WithdrawAsync_RightPasswordBeforeASecondFactor_LeavesTheCountAsItWas()
    {
        await _attempts.ClaimAsync(_userId);
        await _attempts.ClaimAsync(_userId);
        var right = await _attempts.ClaimAsync(_userId);

        await _attempts.WithdrawAsync(right);

        Assert.Equal(2, (await StoredAsync()).AccessFailedCount);
    }

    [Fact]
    public async Task WithdrawAsync_AfterALockEnded_GivesTheSlotBackUnderThatEndedLock()
    {
        for (var i = 0; i < 5; i++)
        {
            await _attempts.ClaimAsync(_userId);
        }

        _time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        await _attempts.ClaimAsync(_userId);
        var right = await _attempts.ClaimAsync(_userId);

        await _attempts.WithdrawAsync(right);

        var stored = await StoredAsync();
        Assert.Equal(1, stored.AccessFailedCount);
        Assert.NotNull(stored.LockoutEnd);
        Assert.Equal(right.LockoutEndBefore, stored.LockoutEnd);
    }

    [Fact]
    public async Task WithdrawAsync_OnTheSlotThatLocked_UnlocksWithOneAttemptLeft()
    {
        for (var i = 0; i < 4; i++)
        {
            await _attempts.ClaimAsync(_userId);
        }

        await _attempts.WithdrawAsync(await _attempts.ClaimAsync(_userId));

        var stored = await StoredAsync();
        Assert.Null(stored.LockoutEnd);
        Assert.Equal(4, stored.AccessFailedCount);
        Assert.True((await _attempts.ClaimAsync(_userId)).LocksOut);
    }

    [Fact]
    public async Task ClaimAsync_UserLoadedBefore_IdentityCannotSaveTheOlderCountBack()
    {
        await using var scope = _services.CreateAsyncScope();
        var manager = scope.ServiceProvider.GetRequiredService<UserManager<SecretAdminUser>>();
        var loaded = (await manager.FindByIdAsync(_userId))!;

        await _attempts.ClaimAsync(_userId);
        await _attempts.ClaimAsync(_userId);
        loaded.MustChangePassword = false;
        var saved = await manager.UpdateAsync(loaded);

        Assert.False(saved.Succeeded);
        Assert.Contains(saved.Errors, e => e.Code == nameof(IdentityErrorDescriber.ConcurrencyFailure));
        Assert.Equal(2, (await StoredAsync()).AccessFailedCount);
    }

    [Fact]
    public async Task ClaimAsync_LockoutOffForTheUser_GrantsWithoutCounting()
    {
        await using (var db = await _services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync())
        {
            await db.Users.Where(u => u.Id == _userId).ExecuteUpdateAsync(set => set.SetProperty(u => u.LockoutEnabled, false));
        }

        var claims = new List<SignInAttempt>();
        for (var i = 0; i < 10; i++)
        {
            claims.Add(await _attempts.ClaimAsync(_userId));
        }

        Assert.All(claims, c => Assert.True(c.Granted && !c.Counted));
        Assert.Equal(0, (await StoredAsync()).AccessFailedCount);
    }

    [Fact]
    public async Task ClaimAsync_RowHeldFromBeforeTheLock_IsRefusedUnchecked()
    {
        var held = await StoredAsync();
        var policy = await _services.GetRequiredService<MfaPolicyService>().GetAsync();
        for (var i = 0; i < policy.MaxFailedAttempts; i++)
        {
            Assert.True((await _attempts.ClaimAsync(_userId)).Granted);
        }

        var late = await _attempts.ClaimAsync(held, policy);

        Assert.False(late.Granted);
        var stored = await StoredAsync();
        Assert.True(stored.LockoutEnd > _time.GetUtcNow());
        Assert.Equal(0, stored.AccessFailedCount);
    }

    [Fact]
    public async Task ClaimAsync_RowHeldFromBeforeLockoutWasTurnedOff_CountsNothing()
    {
        var held = await StoredAsync();
        await using (var db = await _services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync())
        {
            await db.Users.Where(u => u.Id == _userId).ExecuteUpdateAsync(set => set.SetProperty(u => u.LockoutEnabled, false));
        }

        var claim = await _attempts.ClaimAsync(held, await _services.GetRequiredService<MfaPolicyService>().GetAsync());

        Assert.True(claim.Granted && !claim.Counted);
        Assert.Equal(0, (await StoredAsync()).AccessFailedCount);
    }

    [Fact]
    public async Task ClaimAsync_RowHeld_CountsAsAReadRowDoes()
    {
        var policy = await _services.GetRequiredService<MfaPolicyService>().GetAsync();

        var first = await _attempts.ClaimAsync(await StoredAsync(), policy);
        var second = await _attempts.ClaimAsync(await StoredAsync(), policy);

        Assert.True(first.Granted && first.Counted && second.Granted && second.Counted);
        Assert.Equal(2, (await StoredAsync()).AccessFailedCount);
    }
}
