using System.Globalization;
using System.Text;
using SecretAdmin.Benchmarks.OpenLoop;
using SecretAdmin.Features.Audit;

namespace SecretAdmin.Benchmarks.SignInVsTemplate;

/// <summary><c>p3-template</c>'s markdown report, written beside the other results.</summary>
internal static class SignInVsTemplateReport
{
    public static string Write(SignInVsTemplateRun run)
    {
        var s = run.Settings;
        var report = new StringBuilder();
        report.AppendLine("## P3 — second factor: SecretAdmin against the Identity Blazor template").AppendLine();
        report.AppendLine(Invariant($"Run of {run.Measured.Select(r => r.StartedAt).DefaultIfEmpty(DateTimeOffset.UtcNow).Min():yyyy-MM-dd HH:mm} UTC, {run.TotalTime.TotalMinutes:F1} min in all, .NET SDK {run.SdkVersion}. Both apps published in Release, run in Production on 127.0.0.1, {Environment.ProcessorCount} cores **shared by both apps, the load driver (this process) and whatever else ran**."));
        report.AppendLine(Invariant($"Each app seeded with {run.SeededUsersPerApp:N0} users ({s.Users:N0} for the saturation runs, as many for the open loop of which {run.OpenLoopUsers:N0} were used, {SignInVsTemplateSettings.WarmUpUsers} for the warm-up, 2 for the probes), each with one password (PBKDF2 iterations: SecretAdmin {run.SecretAdminIterations:N0}, template {run.TemplateIterations:N0}) and an authenticator enrolled with two-factor sign-in on. Password steps ({SignInVsTemplateSettings.PasswordStepParallel} users at a time, not measured): {string.Join("; ", run.PasswordSteps.Select(p => Invariant($"{p.Users:N0} users, SecretAdmin {p.SecretAdmin:F1}/s, template {p.Template:F1}/s")))}."));
        report.AppendLine();

        var measured = run.Measured.ToArray();
        if (measured.Length > 0)
        {
            AppendTable(report, measured);
        }

        if (run is { SecretAdminSaturation: { } sa, TemplateSaturation: { } ts })
        {
            report.AppendLine(Invariant($"Saturation (closed loop, {s.Connections} connections): SecretAdmin / template throughput **{sa.Throughput / ts.Throughput:F2}×** ({sa.Throughput:F0}/s against {ts.Throughput:F0}/s)."));
        }

        if (run is { SecretAdminOpenLoop: { } so, TemplateOpenLoop: { } to })
        {
            report.AppendLine(Invariant($"Open loop at {run.OpenLoopRate:F0} requests/s ({s.Fraction:P0} of the lower saturation), same rate for both: SecretAdmin / template **p50 {so.Latency.P50 / to.Latency.P50:F2}×, p99 {so.Latency.P99 / to.Latency.P99:F2}×** (p50 {Ms(so.Latency.P50)} against {Ms(to.Latency.P50)} ms, p99 {Ms(so.Latency.P99)} against {Ms(to.Latency.P99)} ms)."));
            report.AppendLine(Invariant($"The driver's own lateness in sending (from each request's scheduled time to its dispatch; counted in the latencies above): SecretAdmin run p50 {Ms(so.DispatchLag!.P50)} / p99 {Ms(so.DispatchLag.P99)} ms, template run p50 {Ms(to.DispatchLag!.P50)} / p99 {Ms(to.DispatchLag.P99)} ms."));
            report.AppendLine();
            report.AppendLine("| goal | result |");
            report.AppendLine("| --- | --- |");
            if (run is { SecretAdminSaturation: { } sat, TemplateSaturation: { } tsat })
            {
                report.AppendLine(Invariant($"| SecretAdmin's throughput ≥ the template's | {(sat.Throughput >= tsat.Throughput ? "**met**" : "**missed**")}: {sat.Throughput / tsat.Throughput:F2}× |"));
            }

            report.AppendLine(Invariant($"| SecretAdmin's p99 no worse than the template's at the same rate | {(so.Latency.P99 <= to.Latency.P99 ? "**met**" : "**missed**")}: {so.Latency.P99 / to.Latency.P99:F2}× |"));
            report.AppendLine(Invariant($"| every measured request succeeded, no code sent twice | {(measured.Sum(r => r.Errors) == 0 ? "**met**" : "**missed**")}: {string.Join(", ", measured.Select(r => $"{r.Name} {r.Errors:N0} errors"))} |"));
            report.AppendLine();
        }

        AppendChecks(report, run);

        var warmUps = new[] { run.SecretAdminWarmUp, run.TemplateWarmUp }.OfType<LoadResult>().ToArray();
        if (warmUps.Length > 0)
        {
            report.AppendLine("### Warm-up (not measured)").AppendLine();
            AppendTable(report, warmUps);
        }

        if (run.Notes.Count > 0)
        {
            report.AppendLine("### Notes").AppendLine();
            foreach (var note in run.Notes)
            {
                report.AppendLine("- " + note);
            }

            report.AppendLine();
        }

        report.AppendLine(run.Problems.Count == 0 ? "**All checks passed.**" : "### Problems (the command exits with 1)");
        report.AppendLine();
        foreach (var problem in run.Problems)
        {
            report.AppendLine("- " + problem);
        }

        return report.ToString();
    }

    private static void AppendTable(StringBuilder report, IEnumerable<LoadResult> results)
    {
        report.AppendLine("| run | load | UTC | sent | window s | answered/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | errors | app CPU s | app CPU µs per request | driver CPU s | machine busy / total CPU s | load average |");
        report.AppendLine("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            report.AppendLine(Invariant(
                $"| {r.Name} | {r.Mode}{(r.RanOut ? " (codes ran out: window cut)" : "")} | {r.StartedAt:HH:mm:ss}–{r.EndedAt:HH:mm:ss} | {r.Sent:N0} | {r.WindowSeconds:F1} | {r.Throughput:N0} | {Ms(r.Latency.P50)} | {Ms(r.Latency.P90)} | {Ms(r.Latency.P99)} | {Ms(r.Latency.P999)} | {Ms(r.Latency.Max)} | {r.Errors:N0} | {r.AppCpuSeconds:F1} | {r.AppCpuMicrosecondsPerRequest:N0} | {r.DriverCpuSeconds:F1} | {r.MachineBusySeconds:F1} / {r.MachineTotalSeconds:F1} | {r.LoadAverageBefore:F2}→{r.LoadAverageAfter:F2} |"));
        }

        report.AppendLine();
    }

    private static void AppendChecks(StringBuilder report, SignInVsTemplateRun run)
    {
        report.AppendLine("### Checks").AppendLine();
        foreach (var r in run.Measured)
        {
            report.AppendLine(Invariant($"- {r.Name}: answers {string.Join(", ", r.Statuses.OrderBy(x => x.Key).Select(x => $"{x.Key} × {x.Value:N0}"))}; {r.Succeeded:N0} successes, {r.Refused:N0} refused, {r.Failed:N0} other ({r.Exceptions:N0} without an answer), {r.NotSent:N0} scheduled without an unsent code."));
        }

        foreach (var (users, result, record, sent) in new[]
        {
            ("saturation", run.SecretAdminSaturation, run.SecretAdminSaturationRecord, run.SecretAdminSaturationLastSteps),
            ("open-loop", run.SecretAdminOpenLoop, run.SecretAdminOpenLoopRecord, run.SecretAdminOpenLoopLastSteps),
        })
        {
            if (result is not null && record is not null && sent is not null)
            {
                report.AppendLine(Invariant($"- SecretAdmin's database afterwards, {users} users: {record.AuditEntries(AuditActions.SignInSucceeded):N0} `sign-in.succeeded` audit entries (the load counted {result.Succeeded:N0} successes), {record.OtherAuditEntries:N0} other entries; the step ledger's last accepted step against the last code sent: {string.Join(", ", sent.OrderBy(x => x.Key).Select(x => $"{(x.Key == long.MinValue ? "none" : "step " + x.Key.ToString(CultureInfo.InvariantCulture))}: {record.UsersWithLastStep(x.Key, long.MinValue):N0} users in the ledger, {x.Value:N0} sent"))}."));
            }
        }

        if (run.TemplateRecord is { } t)
        {
            report.AppendLine(Invariant($"- The template's database afterwards, saturation and open-loop users: {t.Users:N0} users, {t.FailedAttempts:N0} failed attempts, {t.LockedOut:N0} lockouts (a successful sign-in writes nothing there: Identity keeps no record of it). Its log holds {run.TemplateSignInLogLines:N0} \"logged in with 2fa\" lines (the probe, the warm-up and the measured runs: {1 + run.TemplateWarmUp?.Succeeded + run.TemplateSaturation?.Succeeded + run.TemplateOpenLoop?.Succeeded:N0} successes)."));
        }

        foreach (var (app, log) in new[] { ("SecretAdmin", run.SecretAdminLog), ("template", run.TemplateLog) })
        {
            if (log is not null)
            {
                report.AppendLine(Invariant($"- {app}'s log: {log.Errors.Values.Sum()} errors; warnings: {(log.Warnings.Count == 0 ? "none" : string.Join(", ", log.Warnings.Select(w => $"{w.Key} ×{w.Value}")))}."));
            }
        }

        report.AppendLine();
    }

    private static string Ms(double microseconds) => (microseconds / 1000).ToString("F2", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
