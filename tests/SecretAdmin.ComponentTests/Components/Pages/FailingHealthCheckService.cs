using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace SecretAdmin.ComponentTests.Components.Pages;

/// <summary>A health check service that cannot run at all.</summary>
internal sealed class FailingHealthCheckService(string message) : HealthCheckService
{
    public override Task<HealthReport> CheckHealthAsync(
        Func<HealthCheckRegistration, bool>? predicate, CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException(message);
}
