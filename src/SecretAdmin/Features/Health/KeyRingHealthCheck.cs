using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using SecretAdmin.Data;
using SecretAdmin.Security;

namespace SecretAdmin.Features.Health;

/// <summary>
/// The key ring in use is loaded and, when it comes from the file, the file still holds it with
/// owner-only permissions — so a deleted or loosened key ring shows before the next restart fails.
/// </summary>
internal sealed class KeyRingHealthCheck(SecretSealer sealer, DataDirectory dataDirectory, IOptions<SealingOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(Check());

    private HealthCheckResult Check()
    {
        if (!sealer.IsLoaded)
        {
            return HealthCheckResult.Unhealthy("not loaded");
        }

        var ring = sealer.KeyRing;
        var loaded = $"active key {ring.Active.Id}, {Keys(ring.Keys.Count)}";
        if (!string.IsNullOrWhiteSpace(options.Value.KeyRing))
        {
            return HealthCheckResult.Healthy($"{loaded}, from the environment");
        }

        var file = new KeyRingFile(dataDirectory.KeyRingFile);
        if (!file.Exists)
        {
            return HealthCheckResult.Unhealthy($"{loaded}, but the key ring file is missing: restore it before the next restart");
        }

        if (file.FindLoosePermissions() is not null)
        {
            return HealthCheckResult.Unhealthy($"{loaded}, but the key ring file is open to group or others");
        }

        try
        {
            var stored = file.Read();
            var lost = ring.Keys.Where(k => !stored.TryGetKey(k.Id, out _)).Select(k => k.Id).ToArray();
            return lost.Length == 0
                ? HealthCheckResult.Healthy($"{loaded}, from the key ring file")
                : HealthCheckResult.Unhealthy($"{loaded}, but the key ring file lacks {(lost.Length == 1 ? "key" : "keys")} {string.Join(", ", lost)}");
        }
        catch (Exception e) when (e is KeyRingFormatException or IOException or UnauthorizedAccessException)
        {
            return HealthCheckResult.Unhealthy($"{loaded}, but the key ring file cannot be read");
        }
    }

    private static string Keys(int count) => count == 1 ? "1 key" : $"{count} keys";
}
