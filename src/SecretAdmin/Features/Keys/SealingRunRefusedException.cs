namespace SecretAdmin.Features.Keys;

/// <summary>
/// A re-seal or plaintext import was not started because another holds the run lock, on this node or
/// another: two runs at once would only race over the same rows. The message says what to do.
/// </summary>
public sealed class SealingRunRefusedException() : InvalidOperationException(Text)
{
    /// <summary>What the command line and the keys page say when a run is refused.</summary>
    public const string Text =
        "A re-seal or plaintext import is running on another node or process; nothing was started. " +
        "Wait for it to finish — the keys page shows its progress — then run this again if values are left.";
}
