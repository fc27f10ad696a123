using SecretAdmin.Features.Keys;

namespace SecretAdmin.Benchmarks.Reseal;

/// <summary>Hands each batch's count on at once, on the re-sealing thread (<see cref="Progress{T}"/> would post it elsewhere).</summary>
internal sealed class BatchProgress(Action<long> afterBatch) : IProgress<SealingProgress>
{
    public void Report(SealingProgress value) => afterBatch(value.Done);
}
