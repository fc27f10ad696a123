namespace SecretAdmin.Security;

/// <summary>Start-up settings of sealing, section <c>SecretAdmin:Sealing</c>.</summary>
public sealed class SealingOptions
{
    public const string Section = "SecretAdmin:Sealing";

    /// <summary>The environment variable that held the key ring in earlier versions; its keys are converted into data keys at the first start.</summary>
    public const string KeyRingVariable = "SecretAdmin__Sealing__KeyRing";

    /// <summary>Read values without the <c>sa1:</c> prefix as legacy plaintext (to be re-sealed).</summary>
    public bool AllowLegacyPlaintext { get; set; }

    /// <summary>The key ring of an earlier version, when it came from the environment: converted into data keys at the first start.</summary>
    public string? KeyRing { get; set; }

    /// <summary>
    /// Seals a data key may make before a new one is made active: far below the 2^32 that NIST SP
    /// 800-38D §8.3 allows with random 96-bit nonces.
    /// </summary>
    public long SealsPerDataKey { get; set; } = 1L << 30;

    /// <summary>
    /// Seals counted in the database at a time, at first: while a process goes on sealing with a key,
    /// each block is twice the one before, up to 64 times this. A crash may count up to two blocks more
    /// than were made, never fewer.
    /// </summary>
    public long SealReservationBlock { get; set; } = 1000;
}
