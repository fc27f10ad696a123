using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using SecretAdmin.Features.Account;
using SecretAdmin.Hosting;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Features.Account;

/// <summary>Failed sign-ins for emails without an account, locked out like real accounts, with the app's Identity options.</summary>
public sealed class UnknownAccountThrottleTests : IDisposable
{
    private const string Email = "ghost@example.test";

    private readonly ServiceProvider _services = new ServiceCollection().AddSecretAdminUserServices().BuildServiceProvider();
    private readonly ManualTimeProvider _time = new();
    private readonly UnknownAccountThrottle _throttle;
    private readonly LockoutOptions _lockout;

    public UnknownAccountThrottleTests()
    {
        var options = _services.GetRequiredService<IOptions<IdentityOptions>>();
        _lockout = options.Value.Lockout;
        _throttle = new UnknownAccountThrottle(options, _time);
    }

    public void Dispose() => _services.Dispose();

    [Fact]
    public void RecordFailure_FewerThanMaxFailures_NotLockedOut()
    {
        Assert.Equal(5, _lockout.MaxFailedAccessAttempts);

        for (var i = 1; i < _lockout.MaxFailedAccessAttempts; i++)
        {
            Assert.False(_throttle.RecordFailure(Email), $"failure {i} must not lock");
            Assert.False(_throttle.IsLockedOut(Email));
        }
    }

    [Fact]
    public void RecordFailure_MaxFailures_LocksOut()
    {
        RecordFailures(Email, _lockout.MaxFailedAccessAttempts - 1);

        var locked = _throttle.RecordFailure(Email);

        Assert.True(locked);
        Assert.True(_throttle.IsLockedOut(Email));
        Assert.False(_throttle.IsLockedOut("someone-else@example.test"));
    }

    [Fact]
    public void IsLockedOut_UntilLockoutSpanPasses_StaysLockedThenUnlocks()
    {
        RecordFailures(Email, _lockout.MaxFailedAccessAttempts);

        _time.Advance(_lockout.DefaultLockoutTimeSpan - TimeSpan.FromSeconds(1));
        Assert.True(_throttle.IsLockedOut(Email));

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(_throttle.IsLockedOut(Email));
    }

    [Fact]
    public void RecordFailure_WhileLockedOut_DoesNotExtendTheLockout()
    {
        RecordFailures(Email, _lockout.MaxFailedAccessAttempts);
        _time.Advance(TimeSpan.FromMinutes(1));

        RecordFailures(Email, _lockout.MaxFailedAccessAttempts * 2);
        _time.Advance(_lockout.DefaultLockoutTimeSpan - TimeSpan.FromMinutes(1));

        Assert.False(_throttle.IsLockedOut(Email));
    }

    [Fact]
    public void RecordFailure_AfterLockoutEnds_CountsAFreshRun()
    {
        RecordFailures(Email, _lockout.MaxFailedAccessAttempts);
        _time.Advance(_lockout.DefaultLockoutTimeSpan);

        Assert.False(_throttle.RecordFailure(Email));
        Assert.False(_throttle.IsLockedOut(Email));
        RecordFailures(Email, _lockout.MaxFailedAccessAttempts - 2);
        Assert.True(_throttle.RecordFailure(Email));
        Assert.True(_throttle.IsLockedOut(Email));
    }

    [Fact]
    public void RecordFailure_EmailInDifferentCases_CountsAsOneAccount()
    {
        string[] spellings = ["ghost@example.test", "GHOST@EXAMPLE.TEST", "Ghost@Example.Test", "gHoSt@example.TEST"];
        foreach (var spelling in spellings)
        {
            Assert.False(_throttle.RecordFailure(spelling));
        }

        Assert.True(_throttle.RecordFailure("ghost@EXAMPLE.test"));
        Assert.All(spellings, s => Assert.True(_throttle.IsLockedOut(s)));
    }

    private void RecordFailures(string email, int count)
    {
        for (var i = 0; i < count; i++)
        {
            _throttle.RecordFailure(email);
        }
    }
}
