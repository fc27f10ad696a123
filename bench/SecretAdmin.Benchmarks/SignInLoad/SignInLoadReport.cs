using System.Globalization;
using System.Text;

namespace SecretAdmin.Benchmarks.SignInLoad;

/// <summary>P3's markdown report, written beside BenchmarkDotNet's results.</summary>
internal static class SignInLoadReport
{
    public static string Write(SignInLoadRun run)
    {
        var report = new StringBuilder();
        var s = run.Settings;
        report.AppendLine("## P3 — TOTP sign-in under load").AppendLine();
        report.AppendLine(Invariant($"Run of {run.SignIn?.StartedAt ?? DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC, {run.TotalTime.TotalMinutes:F1} min in all. `wrk --latency -t {s.Threads} -c {s.Connections} -d {s.DurationSeconds}s --timeout {s.TimeoutSeconds}s` with a Lua script per endpoint (the measured second-factor run: `-d {run.MainRunSeconds}s`); the app published in Release, on 127.0.0.1, Production, its embedded defaults but the data folder. {Environment.ProcessorCount} cores, **shared by wrk and the app** (and whatever else ran: \"others\" below)."));
        report.AppendLine();

        var measured = new[] { run.LivenessBefore, run.SignIn, run.LivenessAfter }.OfType<WrkResult>().ToArray();
        if (measured.Length > 0)
        {
            report.AppendLine("| run | UTC | requests | requests/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | errors | app CPU s | app CPU µs per request | wrk CPU s | others' CPU s | load average |");
            report.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var r in measured)
            {
                AppendRow(report, r);
            }

            report.AppendLine();
        }

        if (run is { SignIn: { } signIn, LivenessBefore: { } before, LivenessAfter: { } after })
        {
            var p50Before = signIn.P50Microseconds / before.P50Microseconds;
            var p50After = signIn.P50Microseconds / after.P50Microseconds;
            var p99Before = signIn.P99Microseconds / before.P99Microseconds;
            var p99After = signIn.P99Microseconds / after.P99Microseconds;
            report.AppendLine(Invariant($"Second factor / liveness: **p50 {p50Before:F1}× (before), {p50After:F1}× (after); p99 {p99Before:F1}× (before), {p99After:F1}× (after)**; throughput {before.RequestsPerSecond / signIn.RequestsPerSecond:F0}× and {after.RequestsPerSecond / signIn.RequestsPerSecond:F0}× lower."));
            report.AppendLine();
            report.AppendLine("| goal | result |");
            report.AppendLine("| --- | --- |");
            report.AppendLine(Invariant($"| p99 at most 2× the liveness endpoint's | {(Math.Max(p99Before, p99After) <= 2 ? "**met**" : "**missed**")}: {p99Before:F1}× and {p99After:F1}× |"));
            var errors = measured.Sum(r => r.Errors);
            report.AppendLine(Invariant($"| 0 errors | {(errors == 0 ? "**met**" : "**missed**")}: {string.Join(", ", measured.Select(r => $"{r.Name} {r.Errors:N0}"))} |"));
            report.AppendLine();
        }

        AppendSecondFactor(report, run);
        AppendChecks(report, run);

        var unmeasured = new[] { run.WarmUp, run.Calibration }.OfType<WrkResult>().ToArray();
        if (unmeasured.Length > 0)
        {
            report.AppendLine("### Warm-up and calibration (same app, before the runs above; not measured)").AppendLine();
            report.AppendLine("| run | UTC | requests | requests/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | errors | app CPU s | app CPU µs per request | wrk CPU s | others' CPU s | load average |");
            report.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var r in unmeasured)
            {
                AppendRow(report, r);
            }

            report.AppendLine();
        }

        return report.ToString();
    }

    private static void AppendRow(StringBuilder report, WrkResult r)
    {
        var others = r.AppCpu.MachineBusySeconds - r.AppCpu.ProcessSeconds - r.WrkCpuSeconds;
        var errors = r.Errors == 0 ? "0" : Invariant($"{r.Errors:N0} ({r.SocketErrors:N0} socket, {r.Refused:N0} refused, {r.Failed:N0} other)");
        report.AppendLine(Invariant(
            $"| {r.Name} | {r.StartedAt:HH:mm:ss}–{r.EndedAt:HH:mm:ss} | {r.Requests:N0} | {r.RequestsPerSecond:N0} | {Ms(r.P50Microseconds)} | {Ms(r.P90Microseconds)} | {Ms(r.P99Microseconds)} | {Ms(r.P999Microseconds)} | {Ms(r.MaxMicroseconds)} | {errors} | {r.AppCpu.ProcessSeconds:F1} | {r.AppCpu.ProcessSeconds * 1e6 / r.Requests:N0} | {r.WrkCpuSeconds:F1} | {Math.Max(0, others):F1} | {r.LoadAverageBefore:F2}→{r.LoadAverageAfter:F2} |"));
    }

    private static void AppendSecondFactor(StringBuilder report, SignInLoadRun run)
    {
        report.AppendLine("### The second-factor run").AppendLine();
        report.AppendLine(Invariant($"- Seeded: {run.SeededUsers:N0} users, each in role User with an authenticator (a sealed TOTP secret, SHA-1, 6 digits, 30 s) and one shared password hash (Identity's hasher, PBKDF2 with {run.PasswordIterations:N0} iterations)."));
        report.AppendLine(Invariant($"- Password step (GET the sign-in form, POST it, GET the code form; {run.PasswordStepsPerSecond:F1} users/s in the calibration): Identity's two-factor cookie lasts {run.TwoFactorCookieLifetime.TotalMinutes:F0} min, so every user of the measured run passed it in the {run.MainPasswordStepSeconds:F0} s just before it."));
        if (run.Calibration is { } calibration && run.Plan is { } plan)
        {
            report.AppendLine(Invariant($"- Calibration: {calibration.RequestsPerSecond:F0} second factors/s over {calibration.DurationSeconds:F0} s ({calibration.Errors:N0} errors), so {plan.UsersNeeded:N0} users needed for {run.Settings.DurationSeconds} s (a third of the seconds × the rate, + 60%); {run.MainUsers:N0} passed the password step before the run, enough for {run.MainRunSeconds} s."));
        }

        if (run.SignIn is not { } signIn)
        {
            report.AppendLine();
            return;
        }

        report.AppendLine(Invariant($"- The run started {signIn.StartedAt:HH:mm:ss} UTC, {signIn.StartedAt.ToUnixTimeSeconds() % TotpCodes.PeriodSeconds} s into a TOTP step, and ended {signIn.EndedAt:HH:mm:ss}; the first two-factor cookie was valid until {run.FirstSessionAt + run.TwoFactorCookieLifetime:HH:mm:ss}."));
        var fresh = signIn.Sent - signIn.Reused;
        report.AppendLine(Invariant($"- Codes: {signIn.Sent:N0} sent by {run.MainUsers:N0} users: {fresh - signIn.NextStepCodes:N0} for the current step, {signIn.NextStepCodes:N0} for the next one (inside the app's verification window of ±{run.WindowSteps} step; sent once all of a wrk thread's users had sent the current step), each user's steps increasing, each (user, step) once; {signIn.Reused:N0} repeats of a code already sent (none left for the step); {signIn.Stale:N0} without a code for their step. {signIn.Sent - signIn.Requests:N0} were in flight when wrk stopped."));
        report.AppendLine(Invariant($"- Responses: {string.Join(", ", signIn.Statuses.OrderBy(x => x.Key).Select(x => $"{x.Key} × {x.Value:N0}"))}; {signIn.Succeeded:N0} successes (302 to {PasswordStep.ReturnUrl}), {signIn.Refused:N0} refused (the form again with \"That code is not valid\"), {signIn.Failed:N0} other."));
        report.AppendLine();
        report.AppendLine("| step | wrk thread | users | codes sent | of which next-step codes |");
        report.AppendLine("|---:|---:|---:|---:|---:|");
        foreach (var use in signIn.Steps.OrderBy(u => u.Step).ThenBy(u => u.Thread))
        {
            report.AppendLine(Invariant($"| {use.Step} | {use.Thread} | {use.Available:N0} | {use.Used:N0} | {use.NextStep:N0} |"));
        }

        report.AppendLine();
    }

    private static void AppendChecks(StringBuilder report, SignInLoadRun run)
    {
        report.AppendLine("### Checks").AppendLine();
        if (run is { SignIn: { } signIn, Record: { } record })
        {
            report.AppendLine("In the database after the app stopped, for the measured run's users:").AppendLine();
            report.AppendLine("| last step | users, by the script's last code sent | users, by the step ledger (`TotpLastAcceptedStep`) |");
            report.AppendLine("|---|---:|---:|");
            var first = TotpCodes.StepAt(signIn.StartedAt) - 1;
            foreach (var step in signIn.UsersByLastStep.Keys.Union(record.UsersByLastAcceptedStep.Keys).Where(step => step >= first).Order())
            {
                var label = step == first ? "none (not used)" : step.ToString(CultureInfo.InvariantCulture);
                var ledger = record.UsersWithLastStep(step, first);
                report.AppendLine(Invariant($"| {label} | {signIn.UsersByLastStep.GetValueOrDefault(step):N0} | {ledger:N0} |"));
            }

            report.AppendLine();
            report.AppendLine(Invariant($"Audit entries for these users: {string.Join(", ", record.AuditEntriesByAction.Select(a => $"`{a.Key}` {a.Value:N0}"))} (wrk counted {signIn.Succeeded:N0} successes; {signIn.Sent - signIn.Requests:N0} requests were in flight at its end)."));
            report.AppendLine();
        }

        if (run.AppLog is { } log)
        {
            report.AppendLine(Invariant($"App log: {log.Errors.Values.Sum()} errors{Entries(log.Errors)}, {log.Warnings.Values.Sum()} warnings{Entries(log.Warnings)}."));
            report.AppendLine();
        }

        report.AppendLine(run.Problems.Count == 0
            ? "Every check passed."
            : "**Checks failed:**" + Environment.NewLine + string.Join(Environment.NewLine, run.Problems.Select(p => $"- {p}")));
        report.AppendLine();
    }

    private static string Entries(IReadOnlyDictionary<string, int> byCategory) =>
        byCategory.Count == 0 ? "" : " (" + string.Join(", ", byCategory.Select(e => Invariant($"{e.Key} ×{e.Value}"))) + ")";

    public static string Ms(double microseconds) => (microseconds / 1000).ToString(microseconds < 10_000 ? "F2" : "F1", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
