namespace SecretAdmin.ComponentTests.Support;

/// <summary>
/// A clock that stands still until the test moves it, so the times the services write (audit
/// entries, when a secret was set) have known values.
/// </summary>
public sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
