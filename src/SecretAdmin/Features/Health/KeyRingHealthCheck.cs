using Microsoft.Extensions.Diagnostics.HealthChecks;
using SecretAdmin.Data;
using SecretAdmin.Features.Keys;
using SecretAdmin.Security;

namespace SecretAdmin.Features.Health;

/// <summary>
/// The keys: the master key answers and the data keys are loaded — so a removed token, a replaced
/// master key or data keys refused by the re-loader show before anything else fails.
/// </summary>
internal sealed class KeyRingHealthCheck(SecretSealer sealer, KeyCustody custody, DataDirectory dataDirectory) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(Check());

    private HealthCheckResult Check()
    {
        var master = custody.MasterKey;
        if (master.Unavailable is { } unavailable)
        {
            return HealthCheckResult.Unhealthy(WithoutPaths(unavailable));
        }

        if (sealer.LoadedKeyRing is not { } ring)
        {
            return HealthCheckResult.Unhealthy(WithoutPaths(sealer.Unavailable ?? "the data keys are not loaded"));
        }

        var loaded = $"master key {master.Id} from {Where(master.Kind)}; active data key {ring.Active.Id}, {(ring.Keys.Count == 1 ? "1 data key" : $"{ring.Keys.Count} data keys")}";
        if (master.Kind == MasterKeySourceKind.File && custody.MasterKeyFileProblem() is { } fileProblem)
        {
            return HealthCheckResult.Unhealthy($"{loaded}, but {fileProblem}");
        }

        return custody.ReloadProblem is { } problem
            ? HealthCheckResult.Degraded($"{loaded}, but {problem}")
            : HealthCheckResult.Healthy(loaded);
    }

    // /healthz names no path: the data folder is <data>, as README writes it.
    private string WithoutPaths(string text) => text.Replace(dataDirectory.Path, "<data>", StringComparison.Ordinal);

    // Not the source's description: /healthz names no path.
    private static string Where(MasterKeySourceKind kind) => kind switch
    {
        MasterKeySourceKind.Environment => "the environment",
        MasterKeySourceKind.Pkcs11 => "a PKCS#11 token",
        _ => "the master key file",
    };
}
