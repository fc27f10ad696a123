using System.CommandLine;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using SecretAdmin.Commands;

namespace SecretAdmin.Features.Health;

/// <summary><c>SecretAdmin health</c>: runs the start-up checks and the health checks of <c>/healthz</c>, without serving.</summary>
internal static class HealthCommand
{
    public static Command Create()
    {
        var command = new Command("health", "Migrate the database, load the keys and report their state; exit code 0 only when healthy.");
        command.SetAction((_, cancellationToken) => CommandHost.RunAsync(ReportAsync, withoutKeys: true, cancellationToken));
        return command;
    }

    private static async Task<int> ReportAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var report = await services.GetRequiredService<HealthCheckService>().CheckHealthAsync(cancellationToken);
        foreach (var (name, entry) in report.Entries)
        {
            Console.WriteLine($"{name}: {entry.Status} — {entry.Description}");
        }

        Console.WriteLine($"overall: {report.Status}");
        return report.Status == HealthStatus.Healthy ? 0 : 1;
    }
}
