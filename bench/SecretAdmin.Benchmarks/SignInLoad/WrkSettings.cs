namespace SecretAdmin.Benchmarks.SignInLoad;

/// <summary>
/// wrk's settings, the same for every measured run. The timeout is raised from wrk's 2 s so a
/// slow response is measured, not dropped from the latencies (wrk counts it as a timeout error).
/// </summary>
internal sealed record WrkSettings(int Threads, int Connections, int DurationSeconds, int TimeoutSeconds)
{
    public static WrkSettings Measured { get; } = new(Threads: 2, Connections: 50, DurationSeconds: 30, TimeoutSeconds: 10);
}
