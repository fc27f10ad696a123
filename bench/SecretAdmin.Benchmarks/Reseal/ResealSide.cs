namespace SecretAdmin.Benchmarks.Reseal;

/// <summary>The sides of P2.</summary>
internal static class ResealSide
{
    /// <summary><c>SealedValueService.ResealAsync</c>: open with the old key, seal with the new one.</summary>
    public const string Reseal = "reseal";

    /// <summary>The same batches and UPDATEs with same-size values and no cryptography.</summary>
    public const string Baseline = "baseline";

    /// <summary>In the order of the first run; each later run starts one further along, so each side goes first as often.</summary>
    public static readonly string[] All = [Baseline, Reseal];
}
