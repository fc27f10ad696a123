using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace SecretAdmin.Features.Sso;

/// <summary>
/// Single sign-on that is on but cannot work (a client secret that no longer opens, settings
/// incomplete) shows as degraded — sign-in with passwords still works, so the app stays up.
/// </summary>
internal sealed class SsoHealthCheck(OidcSettingsSnapshot snapshot) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await snapshot.RefreshAsync(cancellationToken);
        var settings = snapshot.Current;
        var availability = snapshot.Availability;
        return settings.Enabled && !availability.Ready
            ? HealthCheckResult.Degraded($"on, but not usable: {availability.Reason}")
            : HealthCheckResult.Healthy(settings.Enabled ? "on, ready" : "off");
    }
}
