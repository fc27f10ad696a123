namespace SecretAdmin.Features.Keys;

/// <summary>
/// The lock a re-seal or plaintext import holds for its whole run, so that one runs at a time across
/// every process and node; the database engine releases it when the holder's process dies. Taken by
/// <see cref="SealedValueService.TryLockRunAsync"/>; a run given one owns it and releases it when it ends.
/// </summary>
public sealed class SealingRunLock : IAsyncDisposable
{
    private IAsyncDisposable? _held;

    internal SealingRunLock(IAsyncDisposable held) => _held = held;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _held, null) is { } held)
        {
            await held.DisposeAsync();
        }
    }
}
