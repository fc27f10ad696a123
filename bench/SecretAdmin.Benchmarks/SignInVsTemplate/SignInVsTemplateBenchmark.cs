using System.Diagnostics;
using System.Net;
using System.Runtime.Versioning;
using System.Text.RegularExpressions;
using SecretAdmin.Benchmarks.OpenLoop;
using SecretAdmin.Benchmarks.SignInLoad;
using SecretAdmin.Data;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Mfa;

namespace SecretAdmin.Benchmarks.SignInVsTemplate;

/// <summary>
/// P3 against the Identity template (<c>p3-template</c>): SecretAdmin's second-factor POST and the
/// ASP.NET Core Identity Blazor template's (<see cref="TemplateApp"/>), both published in Release and
/// run in Production on loopback, the same number of users seeded in each, driven by the same
/// in-process load generator (<see cref="LoadDriver"/>) in the same run: throughput at saturation
/// (closed loop), then p50/p99 at one fixed arrival rate below both saturations (open loop).
/// See docs/benchmarks.md.
/// </summary>
[SupportedOSPlatform("linux")]
internal static partial class SignInVsTemplateBenchmark
{
    public const string ReportFile = "P3-Template-report.md";

    /// <summary>A measured run starts this long after a TOTP step starts.</summary>
    private static readonly TimeSpan IntoStep = TimeSpan.FromSeconds(1);

    public static async Task<int> RunAsync(string[] args, string repositoryRoot, string resultsFolder)
    {
        if (SignInVsTemplateSettings.Parse(args) is not { } settings)
        {
            await Console.Error.WriteLineAsync("usage: p3-template [--users 2000] [--seconds 10 (at most 13)] [--connections 50] [--fraction 0.7]");
            return 2;
        }

        Directory.CreateDirectory(resultsFolder);
        var run = new SignInVsTemplateRun
        {
            Settings = settings,
            SecretAdminLogFile = Path.Combine(resultsFolder, "P3-Template-secretadmin.log"),
            TemplateLogFile = Path.Combine(resultsFolder, "P3-Template-template.log"),
        };
        return await ReportedRun.RunAsync(
            "P3-template", resultsFolder, ReportFile, $"app logs {run.SecretAdminLogFile}, {run.TemplateLogFile}", run.Problems,
            root => RunCoreAsync(run, repositoryRoot, root),
            totalTime =>
            {
                run.TotalTime = totalTime;
                return SignInVsTemplateReport.Write(run);
            });
    }

    private static async Task RunCoreAsync(SignInVsTemplateRun run, string repositoryRoot, string root)
    {
        var settings = run.Settings;
        run.SecretAdminWindowSteps = new MfaPolicy().WindowSteps;
        if (run.SecretAdminWindowSteps < 1)
        {
            throw new InvalidOperationException($"SecretAdmin's default MFA window is {run.SecretAdminWindowSteps} steps; the codes handed out need at least 1.");
        }

        var clock = Stopwatch.StartNew();
        var published = Path.Combine(root, "secretadmin");
        await AppUnderTest.PublishAsync(repositoryRoot, published);
        Log($"published src/SecretAdmin in Release in {clock.Elapsed.TotalSeconds:F1} s");

        clock.Restart();
        var template = await TemplateApp.CreateAsync(Path.Combine(root, "template"));
        run.SdkVersion = template.SdkVersion;
        Log($"generated `dotnet {string.Join(' ', TemplateApp.NewArguments)}` with SDK {template.SdkVersion} and published it in Release in {clock.Elapsed.TotalSeconds:F1} s");

        clock.Restart();
        var data = Path.Combine(root, "secretadmin-data");
        var secretAdminUsers = await SignInUserDatabase.CreateAsync(data, settings.SeededUsers, BenchDatabase.Sqlite);
        var templateDatabase = Path.Combine(root, "template-data", "app.db");
        Directory.CreateDirectory(Path.GetDirectoryName(templateDatabase)!);
        var templateUsers = await TemplateUserDatabase.CreateAsync(template, templateDatabase, settings.SeededUsers);
        run.SeededUsersPerApp = settings.SeededUsers;
        run.SecretAdminIterations = secretAdminUsers.PasswordIterations;
        run.TemplateIterations = templateUsers.PasswordIterations;
        Log($"seeded {settings.SeededUsers:N0} users in each app in {clock.Elapsed.TotalSeconds:F1} s (PBKDF2 iterations: SecretAdmin {run.SecretAdminIterations:N0}, template {run.TemplateIterations:N0})");

        await using var secretAdmin = await AppUnderTest.StartAsync(published, data, BenchDatabase.Sqlite, run.SecretAdminLogFile);
        using var secretAdminGuard = new ProcessExitGuard(secretAdmin.ProcessId);
        await using var templateApp = await AppUnderTest.StartAsync(template.Published, template.Assembly, TemplateApp.Environment(templateDatabase), TemplatePasswordStep.LoginPath, run.TemplateLogFile);
        using var templateGuard = new ProcessExitGuard(templateApp.ProcessId);
        Log($"SecretAdmin at {secretAdmin.Address} (pid {secretAdmin.ProcessId}), template at {templateApp.Address} (pid {templateApp.ProcessId})");

        using var secretAdminStep = new PasswordStep(secretAdmin.Address);
        using var templateStep = new TemplatePasswordStep(templateApp.Address);
        await ProbeAsync(secretAdminStep, templateStep, secretAdminUsers.Secrets, templateUsers.Secrets);
        Log("probes passed: a current code signs in on each app (302 to its return URL with its session cookie), a wrong one shows each app's form again with its alert");

        // Saturation users (and the warm-up's) through the password step, in each app.
        var warm = SignInVsTemplateSettings.WarmUpUsers;
        var saturationFirst = SignInVsTemplateSettings.ProbeUsers + warm;
        var (secretAdminSessions, templateSessions) = await PasswordStepAsync(run, secretAdminStep, templateStep, SignInVsTemplateSettings.ProbeUsers, warm + settings.Users);
        run.SaturationFirstSessionAt = Min(secretAdminSessions, templateSessions);

        var secretAdminSaturationCodes = Codes(secretAdminSessions[warm..], secretAdminUsers.Secrets);
        var templateSaturationCodes = Codes(templateSessions[warm..], templateUsers.Secrets);

        using var secretAdminClient = LoadDriver.CreateClient(secretAdmin.Address, Math.Max(settings.Connections, 512));
        using var templateClient = LoadDriver.CreateClient(templateApp.Address, Math.Max(settings.Connections, 512));
        var connections = settings.Connections;
        var duration = TimeSpan.FromSeconds(settings.Seconds);

        // Warm-up: the warm-up users' codes, closed loop, until they run out (3 codes a user at most).
        run.SecretAdminWarmUp = await LoadDriver.RunClosedAsync("SecretAdmin, warm-up", secretAdminClient,
            new SecretAdminSecondFactor(secretAdminSessions[..warm], Codes(secretAdminSessions[..warm], secretAdminUsers.Secrets)), connections, TimeSpan.FromSeconds(5), secretAdmin.ProcessId);
        Print(run.SecretAdminWarmUp);
        run.TemplateWarmUp = await LoadDriver.RunClosedAsync("template, warm-up", templateClient,
            new TemplateSecondFactor(templateStep.CodeFormPath, templateSessions[..warm], Codes(templateSessions[..warm], templateUsers.Secrets)), connections, TimeSpan.FromSeconds(5), templateApp.ProcessId);
        Print(run.TemplateWarmUp);

        // Saturation, each app in turn within one TOTP step: its codes for n − 1, n and n + 1.
        var stepStart = await WaitForNextStepAsync();
        Log($"saturation runs from {stepStart + IntoStep:HH:mm:ss} UTC");
        run.TemplateSaturation = await LoadDriver.RunClosedAsync("template, saturation", templateClient,
            new TemplateSecondFactor(templateStep.CodeFormPath, templateSessions[warm..], templateSaturationCodes), connections, duration, templateApp.ProcessId);
        Print(run.TemplateSaturation);
        await Task.Delay(TimeSpan.FromSeconds(1));
        run.SecretAdminSaturation = await LoadDriver.RunClosedAsync("SecretAdmin, saturation", secretAdminClient,
            new SecretAdminSecondFactor(secretAdminSessions[warm..], secretAdminSaturationCodes), connections, duration, secretAdmin.ProcessId);
        Print(run.SecretAdminSaturation);

        // The open loop: fresh users (their own password step now, so their two-factor cookies outlive the run), enough for the rate.
        var lower = Math.Min(run.TemplateSaturation.Throughput, run.SecretAdminSaturation.Throughput);
        run.OpenLoopRate = Math.Max(1, Math.Floor(lower * settings.Fraction));
        var openUsers = Math.Min(settings.Users, (int)Math.Ceiling(run.OpenLoopRate * settings.Seconds / 2 * 1.1));
        var openSeconds = Math.Min(settings.Seconds, Math.Floor(2 * openUsers / 1.1 / run.OpenLoopRate));
        if (openSeconds < settings.Seconds)
        {
            run.Notes.Add($"The open-loop runs lasted {openSeconds:F0} s, not {settings.Seconds} s: {openUsers:N0} users (--users) give at least {2 * openUsers:N0} unsent codes in one step, and {run.OpenLoopRate:F0}/s for {settings.Seconds} s needs {run.OpenLoopRate * settings.Seconds:N0} with a margin of 10%.");
        }

        if (openSeconds < 2)
        {
            throw new InvalidOperationException($"Too few users ({settings.Users:N0}) for an open loop of at least 2 s at {run.OpenLoopRate:F0}/s; use --users.");
        }

        var openFirst = saturationFirst + settings.Users;
        var (secretAdminOpenSessions, templateOpenSessions) = await PasswordStepAsync(run, secretAdminStep, templateStep, openFirst, openUsers);
        run.OpenLoopUsers = openUsers;
        run.OpenLoopFirstSessionAt = Min(secretAdminOpenSessions, templateOpenSessions);
        var secretAdminOpenCodes = Codes(secretAdminOpenSessions, secretAdminUsers.Secrets);

        stepStart = await WaitForNextStepAsync();
        Log($"open loop at {run.OpenLoopRate:F0} requests/s ({settings.Fraction:P0} of the lower saturation, {lower:F0}/s) for {openSeconds:F0} s each, {openUsers:N0} users each");
        run.SecretAdminOpenLoop = await LoadDriver.RunOpenAsync("SecretAdmin, open loop", secretAdminClient,
            new SecretAdminSecondFactor(secretAdminOpenSessions, secretAdminOpenCodes), run.OpenLoopRate, TimeSpan.FromSeconds(openSeconds), secretAdmin.ProcessId);
        Print(run.SecretAdminOpenLoop);
        await Task.Delay(TimeSpan.FromSeconds(1));
        run.TemplateOpenLoop = await LoadDriver.RunOpenAsync("template, open loop", templateClient,
            new TemplateSecondFactor(templateStep.CodeFormPath, templateOpenSessions, Codes(templateOpenSessions, templateUsers.Secrets)), run.OpenLoopRate, TimeSpan.FromSeconds(openSeconds), templateApp.ProcessId);
        Print(run.TemplateOpenLoop);

        // Give the template's console logger a moment to write its last lines, then stop both apps and read what they kept.
        await Task.Delay(TimeSpan.FromSeconds(2));
        await secretAdmin.DisposeAsync();
        await templateApp.DisposeAsync();
        run.SecretAdminSaturationRecord = await SignInRecord.ReadAsync(new DataDirectory(data).DatabaseFile, saturationFirst, settings.Users);
        run.SecretAdminSaturationLastSteps = secretAdminSaturationCodes.UsersByLastStep();
        run.SecretAdminOpenLoopRecord = await SignInRecord.ReadAsync(new DataDirectory(data).DatabaseFile, openFirst, openUsers);
        run.SecretAdminOpenLoopLastSteps = secretAdminOpenCodes.UsersByLastStep();
        run.TemplateRecord = await TemplateUserDatabase.ReadAsync(templateDatabase, saturationFirst, settings.Users + openUsers);
        run.TemplateSignInLogLines = File.ReadLines(run.TemplateLogFile).Count(l => TemplateSignInLine().IsMatch(l));
        run.SecretAdminLog = AppLog.Read(run.SecretAdminLogFile);
        run.TemplateLog = AppLog.Read(run.TemplateLogFile);
        Check(run);
    }

    /// <summary>Users <paramref name="first"/>… through the password step of SecretAdmin, then of the template.</summary>
    private static async Task<(SignInSession[] SecretAdmin, SignInSession[] Template)> PasswordStepAsync(SignInVsTemplateRun run, PasswordStep secretAdminStep, TemplatePasswordStep templateStep, int first, int count)
    {
        var clock = Stopwatch.StartNew();
        var secretAdminSessions = await secretAdminStep.SignInAsync(first, count, SignInVsTemplateSettings.PasswordStepParallel, DateTimeOffset.MaxValue);
        var secretAdminRate = count / clock.Elapsed.TotalSeconds;
        Log($"SecretAdmin: password step of {count:N0} users in {clock.Elapsed.TotalSeconds:F1} s ({secretAdminRate:F1}/s)");
        clock.Restart();
        var templateSessions = await templateStep.SignInAsync(first, count, SignInVsTemplateSettings.PasswordStepParallel);
        var templateRate = count / clock.Elapsed.TotalSeconds;
        Log($"template: password step of {count:N0} users in {clock.Elapsed.TotalSeconds:F1} s ({templateRate:F1}/s)");
        run.PasswordSteps.Add((count, secretAdminRate, templateRate));
        if (secretAdminSessions.Length != count)
        {
            throw new InvalidOperationException($"Only {secretAdminSessions.Length:N0} of {count:N0} SecretAdmin users passed the password step.");
        }

        return (secretAdminSessions, templateSessions);
    }

    private static DateTimeOffset Min(SignInSession[] a, SignInSession[] b) => a.Concat(b).Min(s => s.SignedInAt);

    private static FreshCodes Codes(SignInSession[] sessions, byte[][] secrets) => new(sessions.Select(s => secrets[s.User]).ToArray());

    /// <summary>Before any load, on each app: user 0's current code signs in as the load counts a success, a wrong code for user 1 is refused as it counts a refusal.</summary>
    private static async Task ProbeAsync(PasswordStep secretAdminStep, TemplatePasswordStep templateStep, byte[][] secretAdminSecrets, byte[][] templateSecrets)
    {
        var step = TotpCodes.StepAt(DateTimeOffset.UtcNow);
        var good = await secretAdminStep.SignInAsync(0);
        var secretAdminTarget = new SecretAdminSecondFactor([], new FreshCodes([]));
        using (var response = await secretAdminStep.SubmitCodeAsync(good, TotpCodes.For(secretAdminSecrets[0], step)))
        {
            await ExpectAsync("SecretAdmin, a current code", response, secretAdminTarget, Outcome.Succeeded, "SecretAdmin.Session=");
        }

        var bad = await secretAdminStep.SignInAsync(1);
        using (var response = await secretAdminStep.SubmitCodeAsync(bad, WrongCode(secretAdminSecrets[1], step)))
        {
            await ExpectAsync("SecretAdmin, a wrong code", response, secretAdminTarget, Outcome.Refused, null);
        }

        var templateGood = await templateStep.SignInAsync(0);
        var templateTarget = new TemplateSecondFactor(templateStep.CodeFormPath, [], new FreshCodes([]));
        using (var request = TemplateSecondFactor.Build(templateStep.CodeFormPath, templateGood, TotpCodes.For(templateSecrets[0], step)))
        using (var response = await templateStep.Client.SendAsync(request))
        {
            await ExpectAsync("template, a current code", response, templateTarget, Outcome.Succeeded, ".AspNetCore.Identity.Application=");
        }

        var templateBad = await templateStep.SignInAsync(1);
        using (var request = TemplateSecondFactor.Build(templateStep.CodeFormPath, templateBad, WrongCode(templateSecrets[1], step)))
        using (var response = await templateStep.Client.SendAsync(request))
        {
            await ExpectAsync("template, a wrong code", response, templateTarget, Outcome.Refused, null);
        }
    }

    private static async Task ExpectAsync(string what, HttpResponseMessage response, ILoadTarget target, Outcome expected, string? sessionCookie)
    {
        var outcome = await target.ClassifyAsync(response);
        var cookies = response.Headers.TryGetValues("Set-Cookie", out var set) ? set.ToArray() : [];
        if (outcome != expected || (sessionCookie is not null && !cookies.Any(c => c.StartsWith(sessionCookie, StringComparison.Ordinal))))
        {
            throw new InvalidOperationException($"Probe {what}: {(int)response.StatusCode} {response.Headers.Location}, counted {outcome}, not {expected}; cookies set: {string.Join(", ", cookies.Select(c => c.Split('=')[0]))}.");
        }
    }

    /// <summary>A code valid in no step within ±3 of <paramref name="step"/>.</summary>
    private static string WrongCode(byte[] secret, long step) =>
        Enumerable.Range(0, 1_000_000).Select(n => n.ToString("D6", System.Globalization.CultureInfo.InvariantCulture))
            .First(code => !Enumerable.Range(-3, 7).Any(offset => TotpCodes.For(secret, step + offset) == code));

    private static async Task<DateTimeOffset> WaitForNextStepAsync()
    {
        var next = DateTimeOffset.FromUnixTimeSeconds((TotpCodes.StepAt(DateTimeOffset.UtcNow) + 1) * TotpCodes.PeriodSeconds);
        await WaitUntilAsync(next + IntoStep);
        return next;
    }

    private static async Task WaitUntilAsync(DateTimeOffset at)
    {
        if (at > DateTimeOffset.UtcNow)
        {
            await Task.Delay(at - DateTimeOffset.UtcNow);
        }
    }

    /// <summary>The run's own checks: every one that fails is a problem, and the command exits with 1.</summary>
    private static void Check(SignInVsTemplateRun run)
    {
        foreach (var result in new[] { run.SecretAdminWarmUp, run.TemplateWarmUp }.Concat(run.Measured).OfType<LoadResult>())
        {
            if (result.Errors > 0)
            {
                run.Problems.Add($"{result.Name}: {result.Sent - result.Succeeded:N0} of {result.Sent:N0} requests did not succeed ({result.Refused:N0} refused, {result.Failed - result.Exceptions:N0} other answers, {result.Exceptions:N0} without an answer), {result.NotSent:N0} scheduled requests had no unsent code.");
            }
        }

        // Each pool's runs: the saturation users' end with SecretAdmin's saturation, the open-loop users' with the template's open loop.
        CheckCookies(run, "saturation", run.SaturationFirstSessionAt, run.SecretAdminSaturation!.EndedAt);
        CheckCookies(run, "open-loop", run.OpenLoopFirstSessionAt, run.TemplateOpenLoop!.EndedAt);

        CheckLedger(run, "saturation", run.SecretAdminSaturation!, run.SecretAdminSaturationRecord!, run.SecretAdminSaturationLastSteps!);
        CheckLedger(run, "open-loop", run.SecretAdminOpenLoop!, run.SecretAdminOpenLoopRecord!, run.SecretAdminOpenLoopLastSteps!);

        var templateSucceeded = 1 + run.TemplateWarmUp!.Succeeded + run.TemplateSaturation!.Succeeded + run.TemplateOpenLoop!.Succeeded;
        if (run.TemplateSignInLogLines != templateSucceeded)
        {
            run.Problems.Add($"The template logged {run.TemplateSignInLogLines:N0} sign-ins with 2fa; the probe and the load counted {templateSucceeded:N0}.");
        }

        if (run.TemplateRecord is { } t && (t.FailedAttempts > 0 || t.LockedOut > 0))
        {
            run.Problems.Add($"The template's measured users have {t.FailedAttempts:N0} failed attempts and {t.LockedOut:N0} lockouts recorded.");
        }

        foreach (var (app, log) in new[] { ("SecretAdmin", run.SecretAdminLog!), ("template", run.TemplateLog!) })
        {
            if (log.Errors.Count > 0)
            {
                run.Problems.Add($"{app} logged errors: {string.Join(", ", log.Errors.Select(e => $"{e.Key} ×{e.Value}"))}.");
            }
        }
    }

    private static void CheckCookies(SignInVsTemplateRun run, string users, DateTimeOffset firstSession, DateTimeOffset lastEnd)
    {
        if (firstSession + run.TwoFactorCookieLifetime < lastEnd)
        {
            run.Problems.Add($"The {users} users' first two-factor cookie expired at {firstSession + run.TwoFactorCookieLifetime:HH:mm:ss}, before their last run ended at {lastEnd:HH:mm:ss}.");
        }
    }

    /// <summary>SecretAdmin's audit log and step ledger for one pool of users against what the load sent them.</summary>
    private static void CheckLedger(SignInVsTemplateRun run, string users, LoadResult result, SignInRecord record, IReadOnlyDictionary<long, long> lastStepsSent)
    {
        if (record.AuditEntries(AuditActions.SignInSucceeded) != result.Succeeded)
        {
            run.Problems.Add($"SecretAdmin's audit log holds {record.AuditEntries(AuditActions.SignInSucceeded):N0} successful sign-ins of the {users} users; the load counted {result.Succeeded:N0}.");
        }

        if (record.OtherAuditEntries > 0)
        {
            run.Problems.Add($"SecretAdmin's audit log holds other entries for the {users} users: {string.Join(", ", record.AuditEntriesByAction.Select(a => $"{a.Key} {a.Value:N0}"))}.");
        }

        var difference = lastStepsSent.Keys.Union(record.UsersByLastAcceptedStep.Keys)
            .Sum(step => Math.Abs(lastStepsSent.GetValueOrDefault(step) - record.UsersWithLastStep(step, long.MinValue)));
        if (difference > 0)
        {
            run.Problems.Add($"SecretAdmin's step ledger differs from the last code sent for {difference / 2:N0} of the {users} users.");
        }
    }

    private static void Print(LoadResult r) =>
        Log($"{r.Name} ({r.Mode}): {r.Sent:N0} sent, {r.AnsweredInWindow:N0} answered in {r.WindowSeconds:F1} s = {r.Throughput:F0}/s{(r.RanOut ? " (codes ran out)" : "")}; " +
            $"p50 {r.Latency.P50 / 1000:F1}, p90 {r.Latency.P90 / 1000:F1}, p99 {r.Latency.P99 / 1000:F1}, max {r.Latency.Max / 1000:F1} ms; " +
            $"{r.Succeeded:N0} succeeded, {r.Refused:N0} refused, {r.Failed:N0} other; CPU s: app {r.AppCpuSeconds:F1}, driver {r.DriverCpuSeconds:F1}, machine {r.MachineBusySeconds:F1} of {r.MachineTotalSeconds:F1}; load {r.LoadAverageBefore:F2}→{r.LoadAverageAfter:F2}");

    private static void Log(string message) => Console.WriteLine($"P3-template {DateTimeOffset.UtcNow:HH:mm:ss}: {message}");

    // LoginWith2fa.razor's Logger.LogInformation("User with ID '{UserId}' logged in with 2fa.") as the console logger writes it.
    [GeneratedRegex(@"User with ID '[^']*' logged in with 2fa\.")]
    private static partial Regex TemplateSignInLine();
}
