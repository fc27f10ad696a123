using System.Globalization;
using Microsoft.Diagnostics.Runtime;
using SecretAdmin.Data;

namespace SecretAdmin.Benchmarks.Circuits;

/// <summary>
/// What one side's circuits hold (<c>p4-profile &lt;side&gt; [--circuits 30] [--warmup 5]</c>): the run of
/// <see cref="CircuitBenchmark"/> for one side, with a histogram of the server's managed heap by type
/// (ClrMD, attached to the live server after its full GC) before and after the circuits, and the types
/// whose bytes grew the most, per circuit.
/// </summary>
internal static class CircuitHeapProfile
{
    public static async Task<int> RunAsync(string[] args, string repositoryRoot)
    {
        if (!OperatingSystem.IsLinux() || args is not [var sideName, ..])
        {
            await Console.Error.WriteLineAsync("usage (Linux): p4-profile <empty|not-found|oidc|smtp|mfa> [--circuits 30] [--warmup 5]");
            return 2;
        }

        var side = CircuitSide.All.Single(s => s.Name == sideName);
        var circuits = CircuitBenchmark.IntegerOption(args, "--circuits") ?? 30;
        var warmup = CircuitBenchmark.IntegerOption(args, "--warmup") ?? 5;
        Console.WriteLine($"P4 profile, {side.Name}: signing in");
        await using var setup = await SignedInAdmin.CreateAsync(repositoryRoot);
        await using var server = await CircuitServerProcess.StartAsync(setup.DataDirectory, repositoryRoot);
        var context = await setup.Browser.NewContextAsync(server.BaseUrl, setup.Session);
        await CircuitBrowser.OpenPagesAsync(context, side, warmup, parallel: 4);
        await Task.Delay(TimeSpan.FromSeconds(5));
        var before = await server.MeasureAsync();
        Console.WriteLine($"P4 profile, {side.Name}: {warmup} circuits open, reading the heap");
        var (histogramBefore, componentsBefore) = Histograms(server.ProcessId);

        await CircuitBrowser.OpenPagesAsync(context, side, circuits, parallel: 4);
        await Task.Delay(TimeSpan.FromSeconds(5));
        var after = await server.MeasureAsync();
        Console.WriteLine($"P4 profile, {side.Name}: {warmup + circuits} circuits open, reading the heap");
        var (histogramAfter, componentsAfter) = Histograms(server.ProcessId);
        await context.CloseAsync();

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"P4 profile, {side.Name}: {circuits} circuits after {warmup}; circuits open/connected {after.OpenCircuits}/{after.ConnectedCircuits}; managed heap {(after.ManagedHeapBytes - before.ManagedHeapBytes) / 1024.0 / circuits:F1} KiB/circuit, RSS {(after.ResidentBytes - before.ResidentBytes) / 1024.0 / circuits:F1} KiB/circuit"));
        var grown = histogramAfter
            .Select(type => (Type: type.Key, After: type.Value, Before: histogramBefore.GetValueOrDefault(type.Key)))
            .Select(t => (t.Type, Bytes: (t.After.Bytes - t.Before.Bytes) / (double)circuits, Count: (t.After.Count - t.Before.Count) / (double)circuits))
            .OrderByDescending(t => t.Bytes)
            .ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"all types: {grown.Sum(t => t.Bytes) / 1024:F1} KiB/circuit, {grown.Sum(t => t.Count):F0} objects/circuit"));
        Console.WriteLine("| bytes/circuit | objects/circuit | type |");
        Console.WriteLine("|---:|---:|---|");
        foreach (var (type, bytes, count) in grown.Take(60))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {bytes:F0} | {count:F1} | `{type}` |"));
        }

        var ours = grown.Where(t => t.Type.StartsWith("SecretAdmin.", StringComparison.Ordinal) && t.Bytes > 0).ToList();
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"the app's own types: {ours.Sum(t => t.Bytes) / 1024:F1} KiB/circuit"));
        foreach (var (type, bytes, count) in ours)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {bytes:F0} | {count:F1} | `{type}` |"));
        }

        var components = componentsAfter
            .Select(type => (Type: type.Key, After: type.Value, Before: componentsBefore.GetValueOrDefault(type.Key)))
            .Select(t => (t.Type, Frames: (t.After.Bytes - t.Before.Bytes) / (double)circuits, Count: (t.After.Count - t.Before.Count) / (double)circuits))
            .Where(t => t.Count > 0)
            .OrderByDescending(t => t.Frames)
            .ToList();
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"components: {components.Sum(t => t.Count):F0}/circuit, their render-tree frame arrays {components.Sum(t => t.Frames) / 1024:F1} KiB/circuit"));
        Console.WriteLine("| components/circuit | frame array bytes/circuit | component |");
        Console.WriteLine("|---:|---:|---|");
        foreach (var (type, frames, count) in components)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {count:F1} | {frames:F0} | `{type}` |"));
        }

        return after.OpenCircuits == warmup + circuits && after.ConnectedCircuits == warmup + circuits ? 0 : 1;
    }

    /// <summary>
    /// Bytes and count of the objects on the server's managed heap by type name; and the live components
    /// by type, with the bytes of the frame arrays their two render trees (current and next) hold.
    /// </summary>
    private static (Dictionary<string, (long Bytes, long Count)> Objects, Dictionary<string, (long Bytes, long Count)> Components) Histograms(int processId)
    {
        using var target = DataTarget.AttachToProcess(processId, suspend: true);
        using var runtime = target.ClrVersions[0].CreateRuntime();
        var objects = new Dictionary<string, (long Bytes, long Count)>(StringComparer.Ordinal);
        var components = new Dictionary<string, (long Bytes, long Count)>(StringComparer.Ordinal);
        foreach (var item in runtime.Heap.EnumerateObjects())
        {
            if (!item.IsValid || item.IsFree)
            {
                continue;
            }

            var name = item.Type?.Name ?? "(unknown)";
            Add(objects, name, (long)item.Size);
            if (name == "Microsoft.AspNetCore.Components.Server.Circuits.RemoteComponentState")
            {
                var component = item.ReadObjectField("<Component>k__BackingField");
                var frames = FrameArrayBytes(item.ReadObjectField("<CurrentRenderTree>k__BackingField")) + FrameArrayBytes(item.ReadObjectField("_nextRenderTree"));
                Add(components, component.Type?.Name ?? "(unknown)", frames);
            }
        }

        return (objects, components);
    }

    private static long FrameArrayBytes(ClrObject renderTreeBuilder)
    {
        if (renderTreeBuilder.IsNull)
        {
            return 0;
        }

        var items = renderTreeBuilder.ReadObjectField("_entries").ReadObjectField("_items");
        return items.IsNull ? 0 : (long)items.Size;
    }

    private static void Add(Dictionary<string, (long Bytes, long Count)> histogram, string name, long bytes)
    {
        var (total, count) = histogram.GetValueOrDefault(name);
        histogram[name] = (total + bytes, count + 1);
    }
}
