namespace SecretAdmin.ComponentTests.Features.Audit;

/// <summary>A clock that stands still until the test moves it, so audit entries get the times a test needs.</summary>
public sealed class SettableClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
