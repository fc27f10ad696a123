using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using SecretAdmin.Features.Audit;

namespace SecretAdmin.Features.Sso;

/// <summary>
/// Test sign-ins an administrator started and their reports, kept in memory for a short while and
/// shown only to the administrator who started them. A run is marked in the handler's protected
/// state (<see cref="PropertiesKey"/>), so the provider's answer to it never signs anyone in.
/// </summary>
public sealed class SsoTestRuns(TimeProvider time)
{
    /// <summary>The key of the run's id among the handler's authentication properties.</summary>
    public const string PropertiesKey = "secretadmin.sso-test";

    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);

    private readonly ConcurrentDictionary<string, Run> _runs = new(StringComparer.Ordinal);

    /// <summary>A run started by <paramref name="ownerId"/> (named <paramref name="ownerName"/> in the audit log); returns its id.</summary>
    public string Start(string ownerId, string ownerName)
    {
        Prune();
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        _runs[id] = new Run(ownerId, ownerName, time.GetUtcNow(), Report: null);
        return id;
    }

    /// <summary>The run these handler properties belong to, when they belong to one still open.</summary>
    public bool TryFind(AuthenticationProperties? properties, out string id, out string ownerName)
    {
        id = "";
        ownerName = "";
        if (properties?.Items.TryGetValue(PropertiesKey, out var value) != true || value is null || !_runs.TryGetValue(value, out var run) || Expired(run))
        {
            return false;
        }

        (id, ownerName) = (value, run.OwnerName);
        return true;
    }

    /// <summary>Whether these handler properties are those of a test sign-in (open or not): such an answer never signs anyone in.</summary>
    public static bool IsTest(AuthenticationProperties? properties) => properties?.Items.ContainsKey(PropertiesKey) == true;

    /// <summary>Keeps the run's report, audits it in the name of the administrator who started it and returns the report's path.</summary>
    public async Task<string> CompleteAsync(AuditLog auditLog, string id, string ownerName, string? clientIp, SsoTestReport report)
    {
        if (_runs.TryGetValue(id, out var run))
        {
            _runs[id] = run with { Report = report };
        }

        await auditLog.WriteAsync(new AuditActor(ownerName, clientIp), AuditActions.SsoTested, report.Authority, reason: report.AuditReason, cancellationToken: CancellationToken.None);
        return ResultPath(id);
    }

    /// <summary>The run's report for the administrator who started it: null while it runs, or when the run is unknown, expired or someone else's.</summary>
    public SsoTestRunState Find(string id, string viewerId) =>
        !_runs.TryGetValue(id, out var run) || Expired(run) || run.OwnerId != viewerId
            ? SsoTestRunState.Unknown
            : run.Report is null ? SsoTestRunState.Running : SsoTestRunState.Done(run.Report);

    public static string ResultPath(string id) => $"{SsoDefaults.TestResult}/{id}";

    private bool Expired(Run run) => time.GetUtcNow() - run.Started > Lifetime;

    private void Prune()
    {
        foreach (var (id, run) in _runs)
        {
            if (Expired(run))
            {
                _runs.TryRemove(id, out _);
            }
        }
    }

    private sealed record Run(string OwnerId, string OwnerName, DateTimeOffset Started, SsoTestReport? Report);
}

/// <summary>What the result page can show for a run id: nothing (unknown), still running, or its report.</summary>
public sealed record SsoTestRunState(bool Known, SsoTestReport? Report)
{
    public static SsoTestRunState Unknown { get; } = new(false, null);

    public static SsoTestRunState Running { get; } = new(true, null);

    public static SsoTestRunState Done(SsoTestReport report) => new(true, report);
}
