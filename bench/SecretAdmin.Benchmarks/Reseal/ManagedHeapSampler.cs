namespace SecretAdmin.Benchmarks.Reseal;

/// <summary>The largest managed heap size seen, sampled every 20 ms on a timer thread.</summary>
internal sealed class ManagedHeapSampler : IDisposable
{
    private readonly Timer _timer;
    private long _peak;

    public ManagedHeapSampler()
    {
        _peak = GC.GetTotalMemory(forceFullCollection: false);
        _timer = new Timer(_ => Sample(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(20));
    }

    public long Stop()
    {
        _timer.Dispose();
        Sample();
        return Interlocked.Read(ref _peak);
    }

    public void Dispose() => _timer.Dispose();

    private void Sample()
    {
        var now = GC.GetTotalMemory(forceFullCollection: false);
        long seen;
        while (now > (seen = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, seen) != seen)
        {
        }
    }
}
