using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace SecretAdmin.ComponentTests.Components.Pages;

/// <summary>A check that fails the way a broken one does: by throwing.</summary>
internal sealed class ThrowingHealthCheck(string message) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException(message);
}
