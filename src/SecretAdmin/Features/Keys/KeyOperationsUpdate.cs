namespace SecretAdmin.Features.Keys;

/// <summary>
/// What <see cref="KeyOperationsMonitor"/> last read: the latest run (or none), whether a run of
/// this process's <see cref="KeyJobRunner"/> was going on when the read began, and whether the read
/// failed (then <see cref="Latest"/> is what the read before it found). <see cref="Read"/> numbers
/// the reads in the order they began, so a page can ignore one that began before something it did;
/// <see cref="RunsEndedHere"/> counts this process's runs that ended, so one that ended without
/// writing a record is a change too. <see cref="MasterKeyUnavailable"/> is why the master key cannot
/// be used (null when it can), so a page learns at once that nothing can be sealed, and when it can again.
/// </summary>
public sealed record KeyOperationsUpdate(long Read, KeyOperationView? Latest, bool RunningHere, long RunsEndedHere, bool ReadFailed, string? MasterKeyUnavailable = null)
{
    /// <summary>A run is going on, here or in another process: another cannot start.</summary>
    public bool Running => RunningHere || Latest?.State == KeyOperationState.Running;
}
