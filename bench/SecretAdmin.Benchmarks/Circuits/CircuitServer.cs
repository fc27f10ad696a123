using System.Runtime;
using System.Runtime.Versioning;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SecretAdmin.Access;
using SecretAdmin.Benchmarks.Reseal;
using SecretAdmin.Data;
using SecretAdmin.Hosting;

namespace SecretAdmin.Benchmarks.Circuits;

/// <summary>
/// The server side of P4 (<c>p4-serve</c>, a child process of <c>p4</c>): the web app wired as
/// Program.cs wires it (<c>AddSecretAdmin</c>, <c>MapSecretAdmin</c>), plus a circuit counter and the
/// baseline page at <see cref="EmptyPage.Path"/>. It reads commands on standard input —
/// <c>measure</c> answers one <see cref="ServerMemory"/> line — and stops when its input closes.
/// </summary>
internal static class CircuitServer
{
    public const string ReadyLine = "P4-SERVER-READY";
    public const string MemoryPrefix = "P4-SERVER-MEMORY ";
    public const string MeasureCommand = "measure";

    [SupportedOSPlatform("linux")]
    public static async Task<int> RunAsync(string dataDirectory, string url, string contentRoot)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = ["--urls", url],
            // The app's name, so that its static web assets manifests (copied beside this program) are the ones read.
            ApplicationName = "SecretAdmin",
            ContentRootPath = contentRoot,
            EnvironmentName = Environments.Production,
        });
        // From the build output, as in development; a published app has these files in its wwwroot instead.
        builder.WebHost.UseStaticWebAssets();
        builder.Configuration.AddInMemoryCollection([new(DataDirectory.Setting, dataDirectory)]);
        builder.AddSecretAdmin();
        builder.Services.AddSingleton<CircuitCounter>();
        builder.Services.AddSingleton<CircuitHandler>(services => services.GetRequiredService<CircuitCounter>());

        await using var app = builder.Build();
        app.MapSecretAdmin();
        app.MapGet(EmptyPage.Path, () => new RazorComponentResult<EmptyPageHost>()).RequireAuthorization(Policies.Admin);
        await app.StartAsync();

        var counter = app.Services.GetRequiredService<CircuitCounter>();
        Console.WriteLine(ReadyLine);
        while (await Console.In.ReadLineAsync() is { } command)
        {
            if (command == MeasureCommand)
            {
                Console.WriteLine(MemoryPrefix + JsonSerializer.Serialize(Measure(counter)));
            }
        }

        await app.StopAsync();
        return 0;
    }

    [SupportedOSPlatform("linux")]
    private static ServerMemory Measure(CircuitCounter counter)
    {
        // Aggressive: a full, blocking, compacting collection that also gives the memory it freed back
        // to the OS, so the resident size counts what is live rather than the GC's unused budget.
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var collection = GC.GetGCMemoryInfo(GCKind.FullBlocking);
        return new ServerMemory(
            GC.GetTotalMemory(forceFullCollection: false),
            collection.HeapSizeBytes,
            collection.TotalCommittedBytes,
            ProcessMemory.Resident(),
            counter.Open,
            counter.Connected,
            GCSettings.IsServerGC);
    }
}
