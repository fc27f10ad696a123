using SecretAdmin.Features.Audit;

namespace SecretAdmin.Features.Keys;

/// <summary>
/// Runs a re-seal for the keys page in the background, not inside the circuit that asked: it goes
/// on when the page is closed, and every page (and tab) follows it through <see cref="KeyOperationsMonitor"/>,
/// which hears at once when it starts and ends. One at a time in this process; a run from the
/// command line at the same time is safe too, as each value is replaced only where it still holds
/// what was read.
/// </summary>
public sealed class KeyJobRunner(SealedValueService keys, KeyOperationsMonitor monitor, IHostApplicationLifetime lifetime, ILogger<KeyJobRunner> logger)
{
    private int _running;

    public bool IsRunning => Volatile.Read(ref _running) == 1;

    /// <summary>Starts a re-seal; false when one is already running in this process.</summary>
    public bool TryStartReseal(AuditActor actor)
    {
        if (Interlocked.CompareExchange(ref _running, 1, 0) != 0)
        {
            return false;
        }

        monitor.RunHereStarted();
        _ = Task.Run(async () =>
        {
            try
            {
                await keys.ResealAsync(actor, SealedValueService.DefaultBatchSize, progress: null, lifetime.ApplicationStopping);
            }
            catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
            {
                // Stopped with the app; running it again finishes the job.
            }
            catch (Exception e)
            {
                logger.LogError("The re-seal stopped on an error ({Exception}); running it again continues where it stopped", e.GetType().Name);
            }
            finally
            {
                Volatile.Write(ref _running, 0);
                monitor.RunHereEnded();
            }
        });
        return true;
    }
}
