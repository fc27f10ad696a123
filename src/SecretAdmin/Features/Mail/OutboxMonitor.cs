namespace SecretAdmin.Features.Mail;

/// <summary>Tells open Mail pages in this process that the outbox changed, so they render it again without polling.</summary>
public sealed class OutboxMonitor
{
    private event Action? ChangedEvent;

    public IDisposable Subscribe(Action onChange)
    {
        ChangedEvent += onChange;
        return new Subscription(() => ChangedEvent -= onChange);
    }

    public void Changed() => ChangedEvent?.Invoke();

    private sealed class Subscription(Action unsubscribe) : IDisposable
    {
        public void Dispose() => unsubscribe();
    }
}
