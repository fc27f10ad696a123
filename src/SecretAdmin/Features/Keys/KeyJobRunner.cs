using SecretAdmin.Features.Audit;

namespace SecretAdmin.Features.Keys;

/// <summary>
/// Runs a re-seal for the keys page in the background, not inside the circuit that asked: it goes
/// on when the page is closed, and every page (and tab) follows it through <see cref="KeyOperationsMonitor"/>,
/// which hears at once when it starts and ends. One at a time in this process, and across processes
/// and nodes by the run lock, taken before the run is started so that a run elsewhere refuses the
/// start at once instead of failing in the background.
/// </summary>
public sealed class KeyJobRunner(SealedValueService keys, KeyOperationsMonitor monitor, IHostApplicationLifetime lifetime, ILogger<KeyJobRunner> logger)
{
    private int _running;

    public bool IsRunning => Volatile.Read(ref _running) == 1;

    /// <summary>Starts a re-seal, unless one runs already, in this process or elsewhere.</summary>
    public async Task<ResealStart> TryStartResealAsync(AuditActor actor)
    {
        if (Interlocked.CompareExchange(ref _running, 1, 0) != 0)
        {
            return ResealStart.RunningHere;
        }

        SealingRunLock? runLock;
        try
        {
            runLock = await keys.TryLockRunAsync(lifetime.ApplicationStopping);
        }
        catch
        {
            Volatile.Write(ref _running, 0);
            throw;
        }

        if (runLock is null)
        {
            Volatile.Write(ref _running, 0);
            return ResealStart.RunningElsewhere;
        }

        monitor.RunHereStarted();
        _ = Task.Run(async () =>
        {
            try
            {
                await keys.ResealAsync(runLock, actor, SealedValueService.DefaultBatchSize, progress: null, lifetime.ApplicationStopping);
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
        return ResealStart.Started;
    }
}
