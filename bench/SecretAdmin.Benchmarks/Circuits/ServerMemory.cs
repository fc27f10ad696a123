namespace SecretAdmin.Benchmarks.Circuits;

/// <summary>
/// What the server reports after a full, compacting, blocking collection: its managed heap, the
/// GC's view of it, its resident size, and the circuits it holds.
/// </summary>
/// <param name="ManagedHeapBytes"><c>GC.GetTotalMemory</c> after the collection: the live objects.</param>
/// <param name="HeapSizeBytes"><c>GCMemoryInfo.HeapSizeBytes</c> of that collection, fragmentation included.</param>
/// <param name="CommittedBytes"><c>GCMemoryInfo.TotalCommittedBytes</c>: what the GC holds from the OS.</param>
/// <param name="ResidentBytes">VmRSS from /proc/self/status.</param>
internal sealed record ServerMemory(
    long ManagedHeapBytes,
    long HeapSizeBytes,
    long CommittedBytes,
    long ResidentBytes,
    int OpenCircuits,
    int ConnectedCircuits,
    bool ServerGc);
