using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SecretAdmin.Data;
using SecretAdmin.Features.Account;
using SecretAdmin.Security;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Features.Account;

/// <summary>
/// Failed sign-ins for emails without an account, locked out like real accounts, with the app's
/// Identity options, counted in the database (so every node shares the count).
/// </summary>
public sealed class UnknownAccountThrottleTests : IAsyncLifetime
{
    private const string Email = "ghost@example.test";

    private readonly TempDataDirectory _temp = new();
    private readonly ManualTimeProvider _time = new();
    private ServiceProvider _services = default!;
    private UnknownAccountThrottle _throttle = default!;
    private LockoutOptions _lockout = default!;

    public Task InitializeAsync()
    {
        _services = TestServices.Build(_temp, _time);
        _throttle = Throttle(_services.GetRequiredService<SecretSealer>());
        _lockout = _services.GetRequiredService<IOptions<IdentityOptions>>().Value.Lockout;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        _temp.Dispose();
    }

    private UnknownAccountThrottle Throttle(SecretSealer sealer) => new(
        _services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>(), sealer, _services.GetRequiredService<IOptions<IdentityOptions>>(), _time);

    [Fact]
    public async Task RecordFailure_FewerThanMaxFailures_NotLockedOut()
    {
        Assert.Equal(5, _lockout.MaxFailedAccessAttempts);

        for (var i = 1; i < _lockout.MaxFailedAccessAttempts; i++)
        {
            Assert.False(await _throttle.RecordFailureAsync(Email), $"failure {i} must not lock");
            Assert.False(await _throttle.IsLockedOutAsync(Email));
        }
    }

    [Fact]
    public async Task RecordFailure_MaxFailures_LocksOut()
    {
        await RecordFailuresAsync(Email, _lockout.MaxFailedAccessAttempts - 1);

        var locked = await _throttle.RecordFailureAsync(Email);

        Assert.True(locked);
        Assert.True(await _throttle.IsLockedOutAsync(Email));
        Assert.False(await _throttle.IsLockedOutAsync("someone-else@example.test"));
    }

    [Fact]
    public async Task IsLockedOut_UntilLockoutSpanPasses_StaysLockedThenUnlocks()
    {
        await RecordFailuresAsync(Email, _lockout.MaxFailedAccessAttempts);

        _time.Advance(_lockout.DefaultLockoutTimeSpan - TimeSpan.FromSeconds(1));
        Assert.True(await _throttle.IsLockedOutAsync(Email));

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(await _throttle.IsLockedOutAsync(Email));
    }

    [Fact]
    public async Task RecordFailure_WhileLockedOut_DoesNotExtendTheLockout()
    {
        await RecordFailuresAsync(Email, _lockout.MaxFailedAccessAttempts);
        _time.Advance(TimeSpan.FromMinutes(1));

        await RecordFailuresAsync(Email, _lockout.MaxFailedAccessAttempts * 2);
        _time.Advance(_lockout.DefaultLockoutTimeSpan - TimeSpan.FromMinutes(1));

        Assert.False(await _throttle.IsLockedOutAsync(Email));
    }

    [Fact]
    public async Task RecordFailure_AfterLockoutEnds_CountsAFreshRun()
    {
        await RecordFailuresAsync(Email, _lockout.MaxFailedAccessAttempts);
        _time.Advance(_lockout.DefaultLockoutTimeSpan);

        Assert.False(await _throttle.RecordFailureAsync(Email));
        Assert.False(await _throttle.IsLockedOutAsync(Email));
        await RecordFailuresAsync(Email, _lockout.MaxFailedAccessAttempts - 2);
        Assert.True(await _throttle.RecordFailureAsync(Email));
        Assert.True(await _throttle.IsLockedOutAsync(Email));
    }

    [Fact]
    public async Task RecordFailure_EmailInDifferentCases_CountsAsOneAccount()
    {
        string[] spellings = ["ghost@example.test", "GHOST@EXAMPLE.TEST", "Ghost@Example.Test", "gHoSt@example.TEST"];
        foreach (var spelling in spellings)
        {
            Assert.False(await _throttle.RecordFailureAsync(spelling));
        }

        Assert.True(await _throttle.RecordFailureAsync("ghost@EXAMPLE.test"));
        foreach (var spelling in spellings)
        {
            Assert.True(await _throttle.IsLockedOutAsync(spelling));
        }
    }

    [Fact]
    public async Task RecordFailure_CountedByAnotherInstanceOnTheSameDatabase_AddsUp()
    {
        // Another node: its own throttle and sealer, the same data key and database.
        var otherNode = Throttle(TestSealing.Sealer(_services.GetRequiredService<SecretSealer>().KeyRing));
        for (var i = 1; i < _lockout.MaxFailedAccessAttempts; i++)
        {
            Assert.False(await (i % 2 == 0 ? otherNode : _throttle).RecordFailureAsync(Email), $"failure {i} must not lock");
        }

        Assert.True(await otherNode.RecordFailureAsync(Email));
        Assert.True(await _throttle.IsLockedOutAsync(Email));
    }

    [Fact]
    public async Task RecordFailure_StoresNeitherTheEmailNorAPlainHashOfIt()
    {
        await _throttle.RecordFailureAsync(Email);

        foreach (var stored in _temp.StoredBytes())
        {
            foreach (var form in new[] { Email, Email.ToUpperInvariant() })
            {
                var bytes = System.Text.Encoding.UTF8.GetBytes(form);
                Assert.Equal(-1, stored.AsSpan().IndexOf(bytes));
                var sha256 = System.Text.Encoding.ASCII.GetBytes(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)));
                Assert.Equal(-1, stored.AsSpan().IndexOf(sha256));
            }
        }

        await using var db = await _services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync();
        Assert.Equal(1, await db.UnknownAccountFailures.CountAsync());
    }

    [Fact]
    public async Task RecordFailure_CountNotAddedToForADay_IsForgotten()
    {
        await RecordFailuresAsync("first@example.test", 2);
        _time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(1));

        await _throttle.RecordFailureAsync("second@example.test");

        await using var db = await _services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync();
        Assert.Equal([1], await db.UnknownAccountFailures.Select(f => f.Failures).ToListAsync());
    }

    [Fact]
    public async Task IsLockedOut_NoKeyLoaded_CountsNothingAndAnswersNotLocked()
    {
        var unloaded = Throttle(new SecretSealer(Options.Create(new SealingOptions())));

        for (var i = 0; i < _lockout.MaxFailedAccessAttempts * 2; i++)
        {
            Assert.False(await unloaded.RecordFailureAsync(Email));
        }

        Assert.False(await unloaded.IsLockedOutAsync(Email));
    }

    private async Task RecordFailuresAsync(string email, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await _throttle.RecordFailureAsync(email);
        }
    }
}
