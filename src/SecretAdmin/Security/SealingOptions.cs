namespace SecretAdmin.Security;

/// <summary>Start-up settings of sealing, section <c>SecretAdmin:Sealing</c>.</summary>
public sealed class SealingOptions
{
    public const string Section = "SecretAdmin:Sealing";

    /// <summary>The environment variable that can hold the key ring instead of the key-ring file.</summary>
    public const string KeyRingVariable = "SecretAdmin__Sealing__KeyRing";

    /// <summary>Read values without the <c>sa1:</c> prefix as legacy plaintext (to be re-sealed).</summary>
    public bool AllowLegacyPlaintext { get; set; }

    /// <summary>The key ring's JSON, when it comes from configuration (an environment variable) instead of the file.</summary>
    public string? KeyRing { get; set; }
}
