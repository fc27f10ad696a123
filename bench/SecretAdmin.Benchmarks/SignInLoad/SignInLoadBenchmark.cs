using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.Versioning;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SecretAdmin.Data;
using SecretAdmin.Features.Mfa;
using SecretAdmin.Hosting;

namespace SecretAdmin.Benchmarks.SignInLoad;

/// <summary>
/// P3 (<c>p3</c>): the second-factor POST of many users under load, against the liveness endpoint
/// of the same app in the same run (before and after it), with wrk's settings of
/// <see cref="WrkSettings.Measured"/>. See docs/benchmarks.md for what one run does.
/// </summary>
[SupportedOSPlatform("linux")]
internal static class SignInLoadBenchmark
{
    public const string ReportFile = "P3-SignIn-report.md";

    /// <summary>The app's liveness endpoint (<c>HealthExtensions.LivePath</c>): 200, no checks.</summary>
    private const string LivenessPath = "/healthz/live";

    private const int CalibrationUsers = 2_000;

    /// <summary>Short enough that the calibration's users last at up to 1,000 requests/s (3 s in each step; see <see cref="PlanMainRun"/>).</summary>
    private const int CalibrationSeconds = 6;

    private const int MaxMainUsers = 16_000;

    /// <summary>
    /// The margin on the calibrated rate when working out users and seconds (see <see cref="PlanMainRun"/>):
    /// the calibration is the second-factor path's first load, still being compiled, and the measured
    /// run has gone 1.15–1.42× its rate on this machine. P6 gives its warm-up's rate the same margin.
    /// </summary>
    internal const double RateMargin = 1.6;

    /// <summary>The shortest measured run: below it, too few users passed the password step and the run fails its check.</summary>
    private const int MinimumRunSeconds = 10;

    /// <summary>The password step runs with a few requests in flight: it is CPU-bound (PBKDF2) on the app's side.</summary>
    private const int PasswordStepParallel = 4;

    public static async Task<int> RunAsync(string[] args, string repositoryRoot, string resultsFolder)
    {
        if (args.Length > 0)
        {
            await Console.Error.WriteLineAsync("p3 takes no options.");
            return 2;
        }

        if (await Wrk.EnsureInstalledAsync() is { } missing)
        {
            await Console.Error.WriteLineAsync(missing);
            return 2;
        }

        Directory.CreateDirectory(resultsFolder);
        var run = new SignInLoadRun
        {
            AppLogFile = Path.Combine(resultsFolder, "P3-app.log"),
            WrkLogFile = Path.Combine(resultsFolder, "P3-wrk.log"),
        };
        File.Delete(run.WrkLogFile);
        return await ReportedRun.RunAsync(
            "P3", resultsFolder, ReportFile, $"app log {run.AppLogFile}, wrk output {run.WrkLogFile}", run.Problems,
            root => RunCoreAsync(run, repositoryRoot, root),
            totalTime =>
            {
                run.TotalTime = totalTime;
                return SignInLoadReport.Write(run);
            });
    }

    private static async Task RunCoreAsync(SignInLoadRun run, string repositoryRoot, string root)
    {
        var settings = WrkSettings.Measured;
        run.Settings = settings;
        run.TwoFactorCookieLifetime = TwoFactorCookieLifetime();
        run.WindowSteps = new MfaPolicy().WindowSteps;
        if (run.WindowSteps < 1)
        {
            throw new InvalidOperationException($"The default MFA policy's window is {run.WindowSteps} steps; the script sends next-step codes, which need a window of at least 1.");
        }

        var clock = Stopwatch.StartNew();
        var published = Path.Combine(root, "app");
        await AppUnderTest.PublishAsync(repositoryRoot, published);
        Log($"published src/SecretAdmin in Release in {clock.Elapsed.TotalSeconds:F1} s");

        clock.Restart();
        var data = Path.Combine(root, "data");
        const int probeUsers = 2;
        var seeded = await SignInUserDatabase.CreateAsync(data, probeUsers + CalibrationUsers + MaxMainUsers, BenchDatabase.Sqlite);
        run.SeededUsers = seeded.Secrets.Length;
        run.PasswordIterations = seeded.PasswordIterations;
        Log($"seeded {seeded.Secrets.Length:N0} users with sealed TOTP secrets in {clock.Elapsed.TotalSeconds:F1} s");

        await using var app = await AppUnderTest.StartAsync(published, data, BenchDatabase.Sqlite, run.AppLogFile);
        using (new ProcessExitGuard(app.ProcessId))
        {
            Log($"app started at {app.Address} (pid {app.ProcessId})");
            using var passwordStep = new PasswordStep(app.Address);
            await ProbeAsync(passwordStep, seeded.Secrets);
            Log("probes passed: a current code signs in (302 to the return URL with the session cookie), a wrong one shows the form again with its alert");

            var liveScript = Path.Combine(root, "liveness.lua");
            await File.WriteAllTextAsync(liveScript, WrkScripts.Liveness);
            var signInScript = Path.Combine(root, "second-factor.lua");
            await File.WriteAllTextAsync(signInScript, WrkScripts.SecondFactor);
            var liveness = new Uri(app.Address, LivenessPath);

            Task<WrkResult> Liveness(string name) => Wrk.RunAsync(name, liveness, liveScript, [], settings, app.ProcessId, run.WrkLogFile);

            Task<WrkResult> SecondFactor(string name, string sessionsFile, long firstStep, int seconds) => Wrk.RunAsync(
                name,
                new Uri(app.Address, PasswordStep.CodeFormPath),
                signInScript,
                [sessionsFile, settings.Threads.ToString(CultureInfo.InvariantCulture), firstStep.ToString(CultureInfo.InvariantCulture), "4",
                    TotpCodes.PeriodSeconds.ToString(CultureInfo.InvariantCulture), PasswordStep.CodeFormPath, new Uri(app.Address, PasswordStep.ReturnUrl).ToString()],
                settings with { DurationSeconds = seconds },
                app.ProcessId,
                run.WrkLogFile);

            run.WarmUp = await Wrk.RunAsync("warm-up (liveness)", liveness, liveScript, [], settings with { DurationSeconds = 5 }, app.ProcessId, run.WrkLogFile);
            Print(run.WarmUp);

            // Calibration: how fast the password step and the second factor go, the second warming it up too.
            clock.Restart();
            var calibrationSessions = await passwordStep.SignInAsync(probeUsers, CalibrationUsers, PasswordStepParallel, DateTimeOffset.MaxValue);
            run.PasswordStepsPerSecond = calibrationSessions.Length / clock.Elapsed.TotalSeconds;
            Log($"password step of {calibrationSessions.Length:N0} users in {clock.Elapsed.TotalSeconds:F1} s ({run.PasswordStepsPerSecond:F1}/s)");
            var calibrationStart = await WaitForStepOffsetAsync(TotpCodes.PeriodSeconds - (CalibrationSeconds / 2));
            var calibrationFile = Path.Combine(root, "calibration.tsv");
            await TotpCodes.WriteSessionsFileAsync(calibrationFile, calibrationSessions, seeded.Secrets, TotpCodes.StepAt(calibrationStart), 4);
            run.Calibration = await SecondFactor("calibration (second factor)", calibrationFile, TotpCodes.StepAt(calibrationStart), CalibrationSeconds);
            Print(run.Calibration);

            run.LivenessBefore = await Liveness("liveness, before");
            Print(run.LivenessBefore);

            // The measured second-factor run: sessions made just before it, the run starting mid-step.
            var mainFirstUser = probeUsers + CalibrationUsers;
            var plan = PlanMainRun(run.Calibration.RequestsPerSecond, run.TwoFactorCookieLifetime, settings, DateTimeOffset.UtcNow);
            run.Plan = plan;
            Log($"plan: {plan.UsersNeeded:N0} users needed for {plan.CalibratedRequestsPerSecond:F0} requests/s; password step until {plan.PasswordStepDeadline:HH:mm:ss}, run at {plan.RunStart:HH:mm:ss} UTC");
            clock.Restart();
            var sessions = await passwordStep.SignInAsync(mainFirstUser, MaxMainUsers, PasswordStepParallel, plan.PasswordStepDeadline);
            run.MainUsers = sessions.Length;
            run.MainPasswordStepSeconds = clock.Elapsed.TotalSeconds;
            run.FirstSessionAt = sessions.Min(s => s.SignedInAt);
            Log($"password step of {sessions.Length:N0} users in {clock.Elapsed.TotalSeconds:F1} s");
            run.MainRunSeconds = SupportedSeconds(sessions.Length, plan.CalibratedRequestsPerSecond, settings.DurationSeconds);
            if (run.MainRunSeconds < settings.DurationSeconds)
            {
                Log($"only {sessions.Length:N0} of the {plan.UsersNeeded:N0} users needed passed the password step in time; the run lasts {run.MainRunSeconds} s, as long as their codes last at the calibrated rate");
            }

            // A shorter run keeps its middle on the step boundary, half of it in each step.
            var runStart = plan.RunStart + TimeSpan.FromSeconds((settings.DurationSeconds - run.MainRunSeconds) / 2.0);
            var firstStep = TotpCodes.StepAt(runStart);
            var sessionsFile = Path.Combine(root, "second-factor.tsv");
            await TotpCodes.WriteSessionsFileAsync(sessionsFile, sessions, seeded.Secrets, firstStep, 4);
            await WaitUntilAsync(runStart);
            run.SignIn = await SecondFactor("second factor", sessionsFile, firstStep, run.MainRunSeconds);
            Print(run.SignIn);

            run.LivenessAfter = await Liveness("liveness, after");
            Print(run.LivenessAfter);

            await app.DisposeAsync();
            run.Record = await SignInRecord.ReadAsync(new DataDirectory(data).DatabaseFile, mainFirstUser, sessions.Length);
            run.AppLog = AppLog.Read(run.AppLogFile);
        }

        Check(run);
    }

    /// <summary>
    /// How many users the measured run needs, and when it starts. Its D seconds (at most 30) are
    /// centred on a TOTP step boundary, so half fall in one step (A) and half in the next (B): a 30-s
    /// run starts in the middle of a step. A user sends A, then A + 1 (the next step's code, once
    /// every user has sent A), and in B: B, then B + 1.
    /// With H = D / 2 × the rate requests in each half and N users, A needs H ≤ 2N, and B has
    /// (H − N) users left with one code and (2N − H) with two: 3N − H ≥ H, so N ≥ 2H / 3 = D / 3 × the
    /// rate (10 s × the rate for 30 s). As many users as possible pass the password step (the rate
    /// can change with the machine's load): it goes on until just before the latest start at which
    /// the first two-factor cookie is still valid when the run and its slowest possible response
    /// (wrk's timeout) have ended. When fewer pass than needed, <see cref="SupportedSeconds"/> shortens the run.
    /// </summary>
    private static MainRunPlan PlanMainRun(double requestsPerSecond, TimeSpan cookieLifetime, WrkSettings settings, DateTimeOffset now)
    {
        var needed = (int)Math.Ceiling(requestsPerSecond * RateMargin * settings.DurationSeconds / 3);
        var latestEnd = now + cookieLifetime - TimeSpan.FromSeconds(settings.TimeoutSeconds + 10);
        var start = MidStepAtOrBefore(latestEnd - TimeSpan.FromSeconds(settings.DurationSeconds));
        return new MainRunPlan(requestsPerSecond, needed, start - TimeSpan.FromSeconds(3), start);
    }

    /// <summary>
    /// The longest run, in whole even seconds up to <paramref name="seconds"/>, whose codes
    /// <paramref name="users"/> users have at the calibrated rate with its margin (D ≤ 3N / rate; see
    /// <see cref="PlanMainRun"/>), and never under <see cref="MinimumRunSeconds"/>.
    /// </summary>
    private static int SupportedSeconds(int users, double requestsPerSecond, int seconds)
    {
        var supported = (int)Math.Floor(3 * users / (requestsPerSecond * RateMargin)) / 2 * 2;
        return Math.Clamp(supported, MinimumRunSeconds, seconds);
    }

    private static DateTimeOffset MidStepAtOrBefore(DateTimeOffset time)
    {
        var seconds = time.ToUnixTimeSeconds();
        var offset = (seconds - (TotpCodes.PeriodSeconds / 2)) % TotpCodes.PeriodSeconds;
        return DateTimeOffset.FromUnixTimeSeconds(seconds - offset);
    }

    /// <summary>Waits until the next time <paramref name="secondsIntoStep"/> seconds into a TOTP step.</summary>
    private static async Task<DateTimeOffset> WaitForStepOffsetAsync(int secondsIntoStep)
    {
        var now = DateTimeOffset.UtcNow;
        var stepStart = DateTimeOffset.FromUnixTimeSeconds(TotpCodes.StepAt(now) * TotpCodes.PeriodSeconds);
        var at = stepStart.AddSeconds(secondsIntoStep);
        at = at > now.AddSeconds(1) ? at : at.AddSeconds(TotpCodes.PeriodSeconds);
        await WaitUntilAsync(at);
        return at;
    }

    private static async Task WaitUntilAsync(DateTimeOffset at)
    {
        if (at > DateTimeOffset.UtcNow)
        {
            await Task.Delay(at - DateTimeOffset.UtcNow);
        }
    }

    /// <summary>Before any load: one sign-in with the current code succeeds as the script expects, one with a wrong code fails as it expects.</summary>
    private static async Task ProbeAsync(PasswordStep passwordStep, byte[][] secrets)
    {
        var step = TotpCodes.StepAt(DateTimeOffset.UtcNow);
        var good = await passwordStep.SignInAsync(0);
        using (var response = await passwordStep.SubmitCodeAsync(good, TotpCodes.For(secrets[0], step)))
        {
            var session = response.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies.LastOrDefault() : null;
            if (response.StatusCode != HttpStatusCode.Redirect || PasswordStep.PathOf(response.Headers.Location) != PasswordStep.ReturnUrl
                || session?.StartsWith("SecretAdmin.Session=", StringComparison.Ordinal) != true)
            {
                throw new InvalidOperationException($"A current code did not sign in: {(int)response.StatusCode} {response.Headers.Location}, last cookie set {session?.Split('=')[0]}.");
            }
        }

        var wrongCode = Enumerable.Range(0, 1_000_000).Select(n => n.ToString("D6", CultureInfo.InvariantCulture))
            .First(code => !Enumerable.Range(-2, 5).Any(offset => TotpCodes.For(secrets[1], step + offset) == code));
        var bad = await passwordStep.SignInAsync(1);
        using (var response = await passwordStep.SubmitCodeAsync(bad, wrongCode))
        {
            var html = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.OK || !html.Contains("That code is not valid", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"A wrong code was not refused with the form's alert: {(int)response.StatusCode} {response.Headers.Location}.");
            }
        }
    }

    /// <summary>Identity's two-factor cookie lifetime as the app configures it (its default, 5 minutes).</summary>
    private static TimeSpan TwoFactorCookieLifetime()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        builder.AddSecretAdmin();
        using var services = builder.Services.BuildServiceProvider();
        return services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(IdentityConstants.TwoFactorUserIdScheme).ExpireTimeSpan;
    }

    /// <summary>The run's own checks: every one that fails is a problem, and the command exits with 1.</summary>
    private static void Check(SignInLoadRun run)
    {
        foreach (var result in new[] { run.LivenessBefore, run.SignIn, run.LivenessAfter })
        {
            if (result!.Errors > 0)
            {
                run.Problems.Add($"{result.Name}: {result.Errors:N0} errors ({result.SocketErrors:N0} socket errors, {result.Requests - result.Succeeded:N0} responses that were not a success).");
            }
        }

        var signIn = run.SignIn!;
        if (signIn.Reused > 0)
        {
            run.Problems.Add($"second factor: {signIn.Reused:N0} requests repeated a code a user had already sent: too few users passed the password step for the rate reached.");
        }

        if (signIn.Stale > 0)
        {
            run.Problems.Add($"second factor: {signIn.Stale:N0} requests had no code for their step in the sessions file.");
        }

        var runEnd = signIn.EndedAt;
        if (run.FirstSessionAt + run.TwoFactorCookieLifetime < runEnd)
        {
            run.Problems.Add($"The first two-factor cookie expired at {run.FirstSessionAt + run.TwoFactorCookieLifetime:HH:mm:ss}, before the run ended at {runEnd:HH:mm:ss}.");
        }

        // Requests still in flight when wrk stopped may or may not have reached the app.
        var inFlight = signIn.Sent - signIn.Requests;
        var record = run.Record!;
        var succeededEntries = record.AuditEntries(Features.Audit.AuditActions.SignInSucceeded);
        if (succeededEntries < signIn.Succeeded || succeededEntries > signIn.Succeeded + inFlight)
        {
            run.Problems.Add($"The audit log holds {succeededEntries:N0} successful sign-ins of the run's users; wrk counted {signIn.Succeeded:N0} (and {inFlight:N0} requests in flight at its end).");
        }

        if (record.OtherAuditEntries > 0)
        {
            run.Problems.Add($"The audit log holds {record.OtherAuditEntries:N0} other entries for the run's users: {string.Join(", ", record.AuditEntriesByAction.Select(a => $"{a.Key} {a.Value:N0}"))}.");
        }

        var none = TotpCodes.StepAt(signIn.StartedAt) - 1;
        var ledgerDifference = signIn.UsersByLastStep.Keys.Union(record.UsersByLastAcceptedStep.Keys).Append(none).Distinct()
            .Where(step => step >= none)
            .Sum(step => Math.Abs(signIn.UsersByLastStep.GetValueOrDefault(step) - record.UsersWithLastStep(step, none)));
        if (ledgerDifference > 2 * inFlight)
        {
            run.Problems.Add($"The step ledger's last accepted steps differ from the last codes the script sent for {ledgerDifference / 2:N0} users (more than the {inFlight:N0} requests in flight).");
        }

        if (run.AppLog!.Errors.Count > 0)
        {
            run.Problems.Add($"The app logged errors: {string.Join(", ", run.AppLog.Errors.Select(e => $"{e.Key} ×{e.Value}"))}.");
        }
    }

    private static void Print(WrkResult r) =>
        Log($"{r.Name}: {r.Requests:N0} requests in {r.DurationSeconds:F1} s = {r.RequestsPerSecond:N0}/s; p50 {SignInLoadReport.Ms(r.P50Microseconds)}, p90 {SignInLoadReport.Ms(r.P90Microseconds)}, p99 {SignInLoadReport.Ms(r.P99Microseconds)}, max {SignInLoadReport.Ms(r.MaxMicroseconds)} ms; " +
            $"{r.Succeeded:N0} succeeded, {r.Refused:N0} refused, {r.Failed:N0} other, {r.SocketErrors:N0} socket errors; CPU s: app {r.AppCpu.ProcessSeconds:F1}, wrk {r.WrkCpuSeconds:F1}, machine {r.AppCpu.MachineBusySeconds:F1} of {r.AppCpu.MachineTotalSeconds:F1}; load {r.LoadAverageBefore:F2}→{r.LoadAverageAfter:F2}");

    private static void Log(string message) => Console.WriteLine($"P3 {DateTimeOffset.UtcNow:HH:mm:ss}: {message}");
}
