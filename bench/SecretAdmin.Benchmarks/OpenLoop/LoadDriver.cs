using System.Collections.Concurrent;
using System.Diagnostics;
using SecretAdmin.Benchmarks.SignInLoad;

namespace SecretAdmin.Benchmarks.OpenLoop;

/// <summary>
/// A load generator in-process. <see cref="RunOpenAsync"/> issues requests at a fixed arrival rate
/// on a schedule fixed in advance (request i at start + i ÷ rate), whatever the answers do, and
/// measures each latency from the request's scheduled start: no coordinated omission, as wrk2's
/// <c>-R</c> does it. Requests go out on as many connections as are needed (up to the client's
/// limit; a request waiting for a connection keeps its clock running). <see cref="RunClosedAsync"/>
/// keeps a fixed number of requests in flight, each sent when the previous one on its connection is
/// answered, as wrk does: its throughput is the endpoint's at saturation.
/// </summary>
internal static class LoadDriver
{
    /// <summary>How long an open-loop run waits for the answers still due at its end.</summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(30);

    /// <summary>A client for one app: no cookies of its own (each request carries its user's), no redirects followed, up to <paramref name="connections"/> connections.</summary>
    public static HttpClient CreateClient(Uri address, int connections) =>
        new(new SocketsHttpHandler
        {
            UseCookies = false,
            AllowAutoRedirect = false,
            MaxConnectionsPerServer = connections,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
        })
        {
            BaseAddress = address,
            Timeout = DrainTimeout,
        };

    public static async Task<LoadResult> RunClosedAsync(string name, HttpClient client, ILoadTarget target, int connections, TimeSpan duration, int appProcessId)
    {
        var run = new RunCounters();
        var measure = Measure.Start(appProcessId);
        var start = Stopwatch.GetTimestamp();
        var stopAt = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var ranOut = 0;

        async Task WorkAsync()
        {
            while (Stopwatch.GetTimestamp() < Volatile.Read(ref stopAt))
            {
                var request = target.NextRequest();
                if (request is null)
                {
                    // No code left: the window ends now for every connection.
                    Interlocked.Exchange(ref ranOut, 1);
                    var now = Stopwatch.GetTimestamp();
                    long seen;
                    while (now < (seen = Volatile.Read(ref stopAt)) && Interlocked.CompareExchange(ref stopAt, now, seen) != seen)
                    {
                    }

                    return;
                }

                var sentAt = Stopwatch.GetTimestamp();
                await run.SendAsync(client, request, target);
                var answeredAt = Stopwatch.GetTimestamp();
                run.Latency.Add(answeredAt - sentAt);
                run.Answered(answeredAt);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, connections).Select(_ => Task.Run(WorkAsync)));
        var window = stopAt - start;
        var result = run.Result(name, $"closed loop, {connections} connections", offeredRate: null, window, start + window, ranOut == 1, notSent: 0, dispatchLag: null);
        return measure.Finish(result with { StartedAt = measure.StartedAt, EndedAt = DateTimeOffset.UtcNow });
    }

    public static async Task<LoadResult> RunOpenAsync(string name, HttpClient client, ILoadTarget target, double requestsPerSecond, TimeSpan duration, int appProcessId)
    {
        var run = new RunCounters();
        var lag = new LatencyRecorder();
        var scheduled = (long)Math.Floor(requestsPerSecond * duration.TotalSeconds);
        var interval = Stopwatch.Frequency / requestsPerSecond;
        var inFlight = new ConcurrentBag<Task>();
        long notSent = 0;
        var measure = Measure.Start(appProcessId);
        var start = Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 100);

        // The schedule runs on a thread of its own, so a busy thread pool delays answers, not the schedule.
        var scheduler = new Thread(() =>
        {
            for (long i = 0; i < scheduled; i++)
            {
                var due = start + (long)(i * interval);
                while (Stopwatch.GetTimestamp() is var now && now < due)
                {
                    Thread.Sleep(Math.Max(1, (int)((due - now) * 1000 / Stopwatch.Frequency) - 1));
                }

                lag.Add(Stopwatch.GetTimestamp() - due);
                var request = target.NextRequest();
                if (request is null)
                {
                    notSent++;
                    continue;
                }

                inFlight.Add(TimedAsync(request, due));
            }
        })
        {
            IsBackground = true,
            Name = "open-loop schedule",
        };

        async Task TimedAsync(HttpRequestMessage request, long due)
        {
            await run.SendAsync(client, request, target);
            var answeredAt = Stopwatch.GetTimestamp();
            run.Latency.Add(answeredAt - due);
            run.Answered(answeredAt);
        }

        scheduler.Start();
        await Task.Run(scheduler.Join);
        var end = start + (long)(scheduled * interval);
        var drained = Task.WhenAll(inFlight);
        await Task.WhenAny(drained, Task.Delay(DrainTimeout));
        var result = run.Result(name, $"open loop, {requestsPerSecond:F0} requests/s", requestsPerSecond, end - start, long.MaxValue, notSent > 0, notSent, lag.Summarize());
        return measure.Finish(result with { StartedAt = measure.StartedAt, EndedAt = DateTimeOffset.UtcNow });
    }

    /// <summary>The counts and latencies of one run, shared by its connections.</summary>
    private sealed class RunCounters
    {
        private readonly ConcurrentDictionary<int, long> _statuses = new();
        private readonly ConcurrentBag<long> _answeredAt = [];
        private long _sent;
        private long _succeeded;
        private long _refused;
        private long _failed;
        private long _exceptions;

        public LatencyRecorder Latency { get; } = new();

        public void Answered(long at) => _answeredAt.Add(at);

        public async Task SendAsync(HttpClient client, HttpRequestMessage request, ILoadTarget target)
        {
            Interlocked.Increment(ref _sent);
            try
            {
                using (request)
                using (var response = await client.SendAsync(request))
                {
                    _statuses.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
                    var outcome = await target.ClassifyAsync(response);
                    switch (outcome)
                    {
                        case Outcome.Succeeded:
                            Interlocked.Increment(ref _succeeded);
                            break;
                        case Outcome.Refused:
                            Interlocked.Increment(ref _refused);
                            break;
                        default:
                            Interlocked.Increment(ref _failed);
                            break;
                    }
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                Interlocked.Increment(ref _exceptions);
                Interlocked.Increment(ref _failed);
            }
        }

        public LoadResult Result(string name, string mode, double? offeredRate, long windowTicks, long windowEnd, bool ranOut, long notSent, LatencySummary? dispatchLag) =>
            new(
                name,
                mode,
                offeredRate,
                (double)windowTicks / Stopwatch.Frequency,
                _answeredAt.Count(at => at <= windowEnd),
                Interlocked.Read(ref _sent),
                notSent,
                ranOut,
                Interlocked.Read(ref _succeeded),
                Interlocked.Read(ref _refused),
                Interlocked.Read(ref _failed),
                Interlocked.Read(ref _exceptions),
                new Dictionary<int, long>(_statuses),
                Latency.Summarize(),
                dispatchLag);
    }

    /// <summary>CPU time of the app, of this process and of the machine, and the load average, around a run.</summary>
    private sealed record Measure(int AppProcessId, CpuTimes Before, TimeSpan DriverBefore, double LoadBefore, DateTimeOffset StartedAt)
    {
        public static Measure Start(int appProcessId) =>
            new(appProcessId, CpuTimes.Read(appProcessId), Process.GetCurrentProcess().TotalProcessorTime, Wrk.LoadAverage(), DateTimeOffset.UtcNow);

        public LoadResult Finish(LoadResult result)
        {
            var cpu = CpuTimes.Read(AppProcessId) - Before;
            return result with
            {
                AppCpuSeconds = cpu.ProcessSeconds,
                DriverCpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - DriverBefore).TotalSeconds,
                MachineBusySeconds = cpu.MachineBusySeconds,
                MachineTotalSeconds = cpu.MachineTotalSeconds,
                LoadAverageBefore = LoadBefore,
                LoadAverageAfter = Wrk.LoadAverage(),
            };
        }
    }
}
