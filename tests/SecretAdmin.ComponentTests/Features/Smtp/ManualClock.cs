namespace SecretAdmin.ComponentTests.Features.Smtp;

/// <summary>A clock that stands still until the test moves it, so "when was the password set" has known answers.</summary>
public sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
