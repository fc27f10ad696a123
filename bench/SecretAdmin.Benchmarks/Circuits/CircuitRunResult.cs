namespace SecretAdmin.Benchmarks.Circuits;

/// <summary>
/// One measured run: a fresh server, <see cref="Warmup"/> circuits opened and kept, then
/// <see cref="Before"/>; <see cref="Circuits"/> more, then <see cref="After"/>.
/// </summary>
internal sealed record CircuitRunResult(
    string Side,
    int Round,
    int Circuits,
    int Warmup,
    ServerMemory Before,
    ServerMemory After,
    double OpenSeconds,
    double LoadAverageBefore,
    double LoadAverageAfter)
{
    public double ManagedHeapPerCircuit => (After.ManagedHeapBytes - Before.ManagedHeapBytes) / (double)Circuits;

    public double ResidentPerCircuit => (After.ResidentBytes - Before.ResidentBytes) / (double)Circuits;

    public double CommittedPerCircuit => (After.CommittedBytes - Before.CommittedBytes) / (double)Circuits;

    /// <summary>Why the run does not count, or null: every circuit must be open and connected at both measurements.</summary>
    public string? Problem =>
        Before.OpenCircuits != Warmup || Before.ConnectedCircuits != Warmup
            ? $"before: {Before.OpenCircuits} circuits open and {Before.ConnectedCircuits} connected, expected {Warmup}"
            : After.OpenCircuits != Warmup + Circuits || After.ConnectedCircuits != Warmup + Circuits
                ? $"after: {After.OpenCircuits} circuits open and {After.ConnectedCircuits} connected, expected {Warmup + Circuits}"
                : !After.ServerGc
                    ? "the server ran with workstation GC, not server GC as the app does"
                    : null;
}
