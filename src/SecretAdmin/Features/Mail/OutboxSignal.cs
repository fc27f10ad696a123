namespace SecretAdmin.Features.Mail;

/// <summary>Wakes this process's <see cref="OutboxSender"/> when mail was queued here, instead of waiting for its next look.</summary>
public sealed class OutboxSignal
{
    private readonly SemaphoreSlim _woken = new(0, 1);

    public void Wake()
    {
        try
        {
            _woken.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already woken; once is enough.
        }
    }

    /// <summary>Until woken or <paramref name="timeout"/> has passed.</summary>
    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _woken.WaitAsync(timeout, cancellationToken);
}
