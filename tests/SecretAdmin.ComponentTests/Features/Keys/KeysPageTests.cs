using System.Security.Claims;
using AngleSharp.Dom;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MudBlazor;
using SecretAdmin.Access;
using SecretAdmin.ComponentTests.Support;
using SecretAdmin.Data;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Keys;
using SecretAdmin.Features.Mfa;
using SecretAdmin.Features.Oidc;
using SecretAdmin.Features.Smtp;
using SecretAdmin.Features.Users;
using SecretAdmin.Hosting;
using SecretAdmin.Security;

namespace SecretAdmin.ComponentTests.Features.Keys;

/// <summary>
/// The keys page against the real key custody, re-seal engine, job runner, run monitor and run records
/// on a SQLite file, with the keys as start-up leaves them — a master key file, and data keys in the
/// database wrapped by it — and secrets sealed by the settings and MFA services themselves.
/// </summary>
public sealed class KeysPageTests : MudComponentTestContext
{
    private const string AdminEmail = "admin@example.test";
    private const string OidcSecret = "oidc-client-secret-4711";
    private const string SmtpPassword = "smtp-password-0815";
    private const string UserEmail = "ada@example.test";

    /// <summary>Generous: a re-seal runs on the thread pool, and the monitor looks for runs started elsewhere every few seconds.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly RealServices _real = new();
    private readonly SealingOptions _sealing = new();

    // MasterKeySource decides from these when it is first asked for, which no test does before it arranges them.
    private readonly MasterKeyOptions _masterKey = new();
    private readonly string _masterKeyText;
    private readonly string _masterKeyId;
    private string? _totpKey;

    public KeysPageTests()
    {
        var auth = AddAuthorization();
        auth.SetAuthorized(AdminEmail);
        auth.SetRoles(Roles.Admin);
        auth.SetClaims(new Claim(ClaimTypes.Email, AdminEmail));
        _real.AddTo(Services);
        Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(_sealing));
        Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(_masterKey));
        Services.AddSingleton<SecretSealer>();
        Services.AddSecretAdminSettingsServices();
        Services.AddSingleton<IHostApplicationLifetime, RunningApplication>();
        Services.AddSingleton<KeyOperations>();
        Services.AddSingleton<KeyOperationsMonitor>();
        Services.AddSingleton<KeyJobRunner>();
        RealServices.MigrateAsync(Services).GetAwaiter().GetResult();

        // The keys as start-up leaves them: a master key file, and the data keys in the database wrapped by it, loaded.
        _masterKeyId = _real.LoadKeys(Services).Id;
        _masterKeyText = File.ReadAllText(_real.Data.MasterKeyFile).Trim();

        // As in the web app, one monitor follows the runs for every page.
        Services.GetRequiredService<KeyOperationsMonitor>().StartAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    private KeyCustody Keys => Services.GetRequiredService<KeyCustody>();

    private SealedValueService SealedValues => Services.GetRequiredService<SealedValueService>();

    private KeyOperationsMonitor Monitor => Services.GetRequiredService<KeyOperationsMonitor>();

    [Fact]
    public async Task Render_SealedSecrets_ListsTheActiveKeyWithWhatItSeals()
    {
        await SeedSecretsAsync();

        var cut = RenderPage();

        cut.WaitForAssertion(() => Assert.Equal(["1"], KeyIds(cut)), Patience);
        var key = Row(cut, 1);
        Assert.Equal("Active", Text(key, ".key-state"));
        Assert.Equal("3", Text(key, ".key-values"));
        Assert.Matches(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$", Text(key, ".key-created"));
        Assert.True(RetireButton(cut, 1).HasAttribute("disabled"));
        Assert.Empty(cut.FindAll(".keys-empty"));
        Assert.Empty(cut.FindAll(".keys-operation"));
        Assert.Equal("Keys", cut.Find("h1").TextContent.Trim());
        Assert.Equal(["Master key", "Data keys", "Re-seal", "Verify"], cut.FindAll("h2").Select(h => h.TextContent.Trim()));
        Assert.DoesNotContain("key ring", cut.Markup, StringComparison.OrdinalIgnoreCase);
        AssertShowsNoSecret(cut);
    }

    [Fact]
    public void Render_NothingSealed_ShowsTheActiveKeyWithZeroAndSaysNothingIsSealed()
    {
        var cut = RenderPage();

        cut.WaitForAssertion(() => Assert.Equal(["1"], KeyIds(cut)), Patience);
        Assert.Equal("0", Text(Row(cut, 1), ".key-values"));
        Assert.Contains("Nothing is sealed yet", cut.Find(".keys-empty").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_ValueUnderAKeyTheRingLacks_ShowsTheKeyAsMissingInErrorColour()
    {
        await SeedSmtpAsync();
        await ExecuteAsync("UPDATE \"SmtpSettings\" SET \"Password\" = replace(\"Password\", 'sa1:1:', 'sa1:9:')");

        var cut = RenderPage();

        cut.WaitForAssertion(() => Assert.Equal(["1", "9"], KeyIds(cut)), Patience);
        var missing = Row(cut, 9);
        Assert.Equal(("Missing from the database", "—", "1", "—"), (Text(missing, ".key-state"), Text(missing, ".key-created"), Text(missing, ".key-values"), Text(missing, ".key-seals")));
        Assert.Contains("mud-chip-color-error", missing.QuerySelector(".key-state")!.ClassName, StringComparison.Ordinal);
        Assert.True(RetireButton(cut, 9).HasAttribute("disabled"));
        Assert.Equal(
            "1 value is sealed with key 9, which the database does not hold: it cannot be opened. Save that secret again, or restore the database from a backup that holds the key.",
            Squash(cut.Find(".keys-missing .mud-alert-message").TextContent));
        Assert.Contains("nothing to re-seal", cut.Find(".keys-reseal-pending").TextContent, StringComparison.Ordinal);
        AssertShowsNoSecret(cut);
    }

    [Fact]
    public async Task Render_ListFails_ShowsAnAlertWithoutDetails()
    {
        await SeedSecretsAsync();
        await ExecuteAsync("DROP TABLE \"SmtpSettings\"");

        var cut = RenderPage(loaded: false);

        cut.WaitForAssertion(() => Assert.Contains("could not be loaded", cut.Find(".keys-load-error").TextContent, StringComparison.Ordinal), Patience);
        Assert.Empty(cut.FindAll("tr.keys-row"));
        Assert.DoesNotContain("no such table", cut.Markup, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Rotate_Confirmed_AddsDataKey2AsActiveAndTheOldKeyKeepsItsValues()
    {
        await SeedSecretsAsync();
        var cut = RenderPage();

        await cut.ClickAsync(".keys-rotate");
        var message = cut.WaitForElement(".confirm-message", Patience).TextContent;
        Assert.Contains("new secrets are sealed with it at once", message, StringComparison.Ordinal);
        Assert.Contains("wrapped by the master key", message, StringComparison.Ordinal);
        Assert.Contains("Re-seal afterwards", message, StringComparison.Ordinal);
        await cut.ClickAsync(".confirm-ok");

        cut.WaitForAssertion(() => Assert.Equal(["1", "2"], KeyIds(cut)), Patience);
        Assert.Equal(("Older, still in use", "3"), (Text(Row(cut, 1), ".key-state"), Text(Row(cut, 1), ".key-values")));
        Assert.Equal(("Active", "0"), (Text(Row(cut, 2), ".key-state"), Text(Row(cut, 2), ".key-values")));
        Assert.True(RetireButton(cut, 1).HasAttribute("disabled"));
        Assert.True(RetireButton(cut, 2).HasAttribute("disabled"));
        Assert.Equal([(1, _masterKeyId), (2, _masterKeyId)], (await DataKeysAsync()).Select(k => (k.Id, k.MasterKeyId)));
        Assert.Contains(Services.GetRequiredService<ISnackbar>().ShownSnackbars,
            s => s.Severity == Severity.Success && s.Message == "Data key 2 is active. Re-seal to move the stored values to it.");
        Assert.Contains("3 values are sealed with older keys.", cut.Find(".keys-reseal-pending").TextContent, StringComparison.Ordinal);
        AssertShowsNoSecret(cut);
    }

    [Fact]
    public async Task Rotate_Cancelled_ChangesNothing()
    {
        var cut = RenderPage();

        await cut.ClickAsync(".keys-rotate");
        cut.WaitForElement(".confirm-cancel", Patience);
        await cut.ClickAsync(".confirm-cancel");

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll(".confirm-message")), Patience);
        Assert.Equal(["1"], KeyIds(cut));
        Assert.Single(await DataKeysAsync());
    }

    [Fact]
    public async Task Retire_OldKeyAfterReseal_IsEnabledAndRemovesTheKey()
    {
        await SeedSecretsAsync();
        await Keys.RotateAsync(AuditActor.Cli);
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.Equal(["1", "2"], KeyIds(cut)), Patience);
        Assert.True(RetireButton(cut, 1).HasAttribute("disabled"), "key 1 still seals 3 values");
        Assert.True(RetireButton(cut, 2).HasAttribute("disabled"), "key 2 is active");

        await SealedValues.ResealAsync(AuditActor.Cli);
        cut.WaitForAssertion(() => Assert.Equal("0", Text(Row(cut, 1), ".key-values")), Patience);
        Assert.False(RetireButton(cut, 1).HasAttribute("disabled"));
        Assert.Equal("Can be retired", Text(Row(cut, 1), ".key-state"));
        Assert.True(RetireButton(cut, 2).HasAttribute("disabled"));
        await cut.InvokeAsync(() => RetireButton(cut, 1).Click());
        Assert.Contains("Retire data key 1?", cut.WaitForElement(".mud-dialog-title", Patience).TextContent, StringComparison.Ordinal);
        await cut.ClickAsync(".confirm-ok");

        cut.WaitForAssertion(() => Assert.Equal(["2"], KeyIds(cut)), Patience);
        Assert.Equal([2], (await DataKeysAsync()).Select(k => k.Id));
        Assert.Contains(Services.GetRequiredService<ISnackbar>().ShownSnackbars, s => s.Severity == Severity.Success && s.Message == "Data key 1 is retired.");
        Assert.Single((await Services.GetRequiredService<AuditLog>().SearchAsync(new AuditQuery(Action: AuditActions.KeyRetired, Actor: AdminEmail))).Items);
    }

    [Fact]
    public async Task Retire_KeyThatSealsAValueAgainMeanwhile_ShowsTheServicesRefusalAsAnError()
    {
        await SeedSmtpAsync();
        var sealedWithKey1 = await StoredSmtpPasswordAsync();
        await Keys.RotateAsync(AuditActor.Cli);
        await SealedValues.ResealAsync(AuditActor.Cli);
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.False(RetireButton(cut, 1).HasAttribute("disabled")), Patience);
        // After the page loaded, a backup is restored: the value is sealed with key 1 again.
        await ExecuteAsync("UPDATE \"SmtpSettings\" SET \"Password\" = {0}", sealedWithKey1);

        await cut.InvokeAsync(() => RetireButton(cut, 1).Click());
        cut.WaitForElement(".confirm-ok", Patience);
        await cut.ClickAsync(".confirm-ok");

        cut.WaitForAssertion(() => Assert.Contains(Services.GetRequiredService<ISnackbar>().ShownSnackbars, s => s.Severity == Severity.Error), Patience);
        var refusal = Services.GetRequiredService<ISnackbar>().ShownSnackbars.Single(s => s.Severity == Severity.Error);
        Assert.StartsWith("Data key 1 still seals 1 stored value(s).", refusal.Message, StringComparison.Ordinal);
        Assert.Equal(2, (await DataKeysAsync()).Count);
        cut.WaitForAssertion(() => Assert.Equal("1", Text(Row(cut, 1), ".key-values")), Patience);
        Assert.True(RetireButton(cut, 1).HasAttribute("disabled"));
    }

    [Fact]
    public async Task Reseal_StartedFromThePage_ShowsProgressEndsFinishedAndMovesTheCounts()
    {
        await SeedSecretsAsync();
        await Keys.RotateAsync(AuditActor.Cli);
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.Equal("3", Text(Row(cut, 1), ".key-values")), Patience);

        await cut.ClickAsync(".keys-reseal-start");

        cut.WaitForAssertion(() => Assert.Equal("finished", cut.Find(".keys-operation").GetAttribute("data-state")), Patience);
        Assert.Equal("Re-seal · finished", cut.Find(".keys-operation-title").TextContent.Trim());
        Assert.Equal("100%", cut.Find(".keys-operation-percent").TextContent.Trim());
        Assert.Equal("100", cut.Find(".keys-operation-progress[role=progressbar]").GetAttribute("aria-valuenow"));
        Assert.Equal("3 / 3 values", Squash(cut.Find(".keys-operation-counts").TextContent));
        Assert.EndsWith("values per second", cut.Find(".keys-operation-rate").TextContent.Trim(), StringComparison.Ordinal);
        Assert.StartsWith($"Started by {AdminEmail},", Squash(cut.Find(".keys-operation-started").TextContent), StringComparison.Ordinal);
        Assert.Contains("3 values re-sealed with the active key", cut.Find(".keys-operation-result").TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll(".keys-operation-unreadable"));
        cut.WaitForAssertion(() =>
        {
            Assert.Equal(("0", "3"), (Text(Row(cut, 1), ".key-values"), Text(Row(cut, 2), ".key-values")));
            Assert.False(RetireButton(cut, 1).HasAttribute("disabled"));
            Assert.False(cut.Find(".keys-reseal-start").HasAttribute("disabled"));
        }, Patience);
        Assert.Contains(Services.GetRequiredService<ISnackbar>().ShownSnackbars, s => s.Message!.StartsWith("The re-seal has started", StringComparison.Ordinal));
        Assert.Contains("nothing to re-seal", cut.Find(".keys-reseal-pending").TextContent, StringComparison.Ordinal);
        Assert.True((await SealedValues.VerifyAsync(AuditActor.Cli)).AllOpen);
        AssertShowsNoSecret(cut);
    }

    [Fact]
    public async Task Reseal_RunLockHeldByAnotherNode_IsRefusedAtOnceWithTheMessageAndStartsNothing()
    {
        await SeedSecretsAsync();
        await Keys.RotateAsync(AuditActor.Cli);
        await using var elsewhere = await SealedValues.TryLockRunAsync();
        Assert.NotNull(elsewhere);
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.Equal("3", Text(Row(cut, 1), ".key-values")), Patience);

        await cut.ClickAsync(".keys-reseal-start");

        cut.WaitForAssertion(() => Assert.Contains(Services.GetRequiredService<ISnackbar>().ShownSnackbars,
            s => s.Severity == Severity.Warning && s.Message == SealingRunRefusedException.Text), Patience);
        Assert.Contains("running on another node or process", SealingRunRefusedException.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(Services.GetRequiredService<ISnackbar>().ShownSnackbars, s => s.Message!.StartsWith("The re-seal has started", StringComparison.Ordinal));
        Assert.False(Services.GetRequiredService<KeyJobRunner>().IsRunning);
        Assert.Empty(cut.FindAll(".keys-operation"));
        Assert.False(cut.Find(".keys-reseal-start").HasAttribute("disabled"));
        await using var db = await Services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync();
        Assert.Empty(await db.KeyOperations.ToListAsync());
    }

    [Fact]
    public async Task Reseal_StartedElsewhere_IsPushedToThePageAndRefreshesTheCounts()
    {
        await SeedSecretsAsync();
        await Keys.RotateAsync(AuditActor.Cli);
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.Equal("3", Text(Row(cut, 1), ".key-values")), Patience);
        Assert.Empty(cut.FindAll(".keys-operation"));

        // Not through the page or its runner: as the command line does. Nobody tells the monitor; it reads the database.
        await SealedValues.ResealAsync(AuditActor.Cli);

        cut.WaitForAssertion(() => Assert.Equal("finished", cut.Find(".keys-operation").GetAttribute("data-state")), Patience);
        Assert.StartsWith("Started by cli,", Squash(cut.Find(".keys-operation-started").TextContent), StringComparison.Ordinal);
        Assert.Equal("3 / 3 values", Squash(cut.Find(".keys-operation-counts").TextContent));
        cut.WaitForAssertion(() => Assert.Equal(("0", "3"), (Text(Row(cut, 1), ".key-values"), Text(Row(cut, 2), ".key-values"))), Patience);
    }

    [Fact]
    public async Task Monitor_RunningElsewhere_ShowsItsProgressDisablesReSealAndFollowsItToTheEnd()
    {
        var started = DateTime.UtcNow.AddSeconds(-10);
        var id = await RecordRunAsync(new KeyOperation
        {
            StartedBy = "cli", StartedAtUtc = started, UpdatedAtUtc = DateTime.UtcNow, Done = 250, Total = 1000,
        });

        var cut = RenderPage();

        cut.WaitForAssertion(() => Assert.Equal("running", cut.Find(".keys-operation").GetAttribute("data-state")), Patience);
        Assert.Equal("25%", cut.Find(".keys-operation-percent").TextContent.Trim());
        Assert.Equal("25", cut.Find(".keys-operation-progress[role=progressbar]").GetAttribute("aria-valuenow"));
        Assert.Equal("250 / 1,000 values", Squash(cut.Find(".keys-operation-counts").TextContent));
        Assert.Matches(@"^\d+(\.\d)? values per second$", cut.Find(".keys-operation-rate").TextContent.Trim());
        Assert.True(cut.Find(".keys-reseal-start").HasAttribute("disabled"));
        Assert.Contains("runs on another node or process", cut.Find(".keys-operation-elsewhere").TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll(".keys-operation-result"));

        await UpdateRunAsync(id, run =>
        {
            run.Done = 600;
            run.UpdatedAtUtc = DateTime.UtcNow;
        });
        cut.WaitForAssertion(() => Assert.Equal("600 / 1,000 values", Squash(cut.Find(".keys-operation-counts").TextContent)), Patience);
        await UpdateRunAsync(id, run =>
        {
            run.Done = 1000;
            run.UpdatedAtUtc = DateTime.UtcNow;
            run.FinishedAtUtc = run.UpdatedAtUtc;
        });

        cut.WaitForAssertion(() => Assert.Equal("finished", cut.Find(".keys-operation").GetAttribute("data-state")), Patience);
        Assert.False(cut.Find(".keys-reseal-start").HasAttribute("disabled"));
        Assert.Equal("100%", cut.Find(".keys-operation-percent").TextContent.Trim());
    }

    [Fact]
    public async Task Render_RunThatStoppedHalfway_SaysToRunItAgain()
    {
        await RecordRunAsync(new KeyOperation
        {
            StartedBy = AdminEmail, StartedAtUtc = DateTime.UtcNow.AddMinutes(-10), UpdatedAtUtc = DateTime.UtcNow.AddMinutes(-5), Done = 40, Total = 100,
        });

        var cut = RenderPage();

        cut.WaitForAssertion(() => Assert.Equal("interrupted", cut.Find(".keys-operation").GetAttribute("data-state")), Patience);
        Assert.Contains("stopped before it finished — run it again to continue", cut.Find(".keys-operation-result").TextContent, StringComparison.Ordinal);
        Assert.False(cut.Find(".keys-reseal-start").HasAttribute("disabled"));
    }

    [Fact]
    public async Task Render_RunThatFailed_SaysSoAndToRunItAgain()
    {
        await RecordRunAsync(new KeyOperation
        {
            StartedBy = AdminEmail, StartedAtUtc = DateTime.UtcNow.AddMinutes(-2), UpdatedAtUtc = DateTime.UtcNow.AddMinutes(-1),
            FinishedAtUtc = DateTime.UtcNow.AddMinutes(-1), Done = 10, Total = 100, Failure = "SqliteException",
        });

        var cut = RenderPage();

        cut.WaitForAssertion(() => Assert.Equal("failed", cut.Find(".keys-operation").GetAttribute("data-state")), Patience);
        var result = cut.Find(".keys-operation-result").TextContent;
        Assert.Contains("stopped on an error (SqliteException)", result, StringComparison.Ordinal);
        Assert.Contains("run it again to continue", result, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_RunWithUnreadableValues_SaysTheyWereLeftAndToVerify()
    {
        await RecordRunAsync(new KeyOperation
        {
            StartedBy = AdminEmail, StartedAtUtc = DateTime.UtcNow.AddMinutes(-2), UpdatedAtUtc = DateTime.UtcNow.AddMinutes(-1),
            FinishedAtUtc = DateTime.UtcNow.AddMinutes(-1), Done = 5, Total = 7, Unreadable = 2,
        });

        var cut = RenderPage();

        cut.WaitForAssertion(() => Assert.Equal("finished", cut.Find(".keys-operation").GetAttribute("data-state")), Patience);
        Assert.Contains("2 values could not be opened and were left as they are; run Verify", cut.Find(".keys-operation-unreadable").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_EverythingOpens_ShowsTheSuccessSummaryAndARowPerColumnAndKey()
    {
        await SeedSecretsAsync();
        var cut = RenderPage();

        await cut.ClickAsync(".keys-verify");

        cut.WaitForAssertion(() => Assert.Equal("Every stored value opens.", cut.Find(".keys-verify-summary").TextContent.Trim()), Patience);
        Assert.Contains("mud-alert-text-success", cut.Find(".keys-verify-summary").ClassName, StringComparison.Ordinal);
        Assert.Equal(
            ["AspNetUsers TotpSecret 1 Opens 1", "OidcSettings ClientSecret 1 Opens 1", "SmtpSettings Password 1 Opens 1"],
            VerifyRows(cut).Order());
        Assert.False(cut.Find(".keys-verify").HasAttribute("disabled"));
        Assert.Single((await Services.GetRequiredService<AuditLog>().SearchAsync(new AuditQuery(Action: AuditActions.KeysVerified, Actor: AdminEmail))).Items);
        AssertShowsNoSecret(cut);
    }

    [Fact]
    public async Task Verify_TamperedEnvelope_ShowsTheFailureSummaryAndTheRowOfTheBrokenValue()
    {
        await SeedSecretsAsync();
        // One character inside the payload (not the last, whose low bits may be padding) changes.
        await ExecuteAsync("""
            UPDATE "SmtpSettings" SET "Password" =
                substr("Password", 1, 19) || CASE WHEN substr("Password", 20, 1) = 'A' THEN 'B' ELSE 'A' END || substr("Password", 21)
            """);
        var cut = RenderPage();

        await cut.ClickAsync(".keys-verify");

        cut.WaitForAssertion(() => Assert.StartsWith("1 value does not open.", cut.Find(".keys-verify-summary").TextContent.Trim(), StringComparison.Ordinal), Patience);
        Assert.Contains("mud-alert-text-error", cut.Find(".keys-verify-summary").ClassName, StringComparison.Ordinal);
        var failing = Assert.Single(cut.FindAll("tr.keys-verify-row-failing"));
        Assert.Equal("SmtpSettings Password 1 Does not open 1", RowText(failing));
        Assert.Equal(3, cut.FindAll("tr.keys-verify-row").Count);
        AssertShowsNoSecret(cut);
    }

    [Fact]
    public async Task Verify_WhileTheDatabaseIsBusy_ShowsProgressAndDisablesTheButton()
    {
        await SeedSecretsAsync();
        var cut = RenderPage();
        // Verify writes an audit entry at its end; another writer holding the database keeps it waiting.
        await using var blocker = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_real.Data.DatabaseFile};Pooling=False");
        await blocker.OpenAsync();
        await using (var begin = blocker.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE;";
            await begin.ExecuteNonQueryAsync();
        }

        await cut.ClickAsync(".keys-verify");

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll(".keys-verifying")), Patience);
        Assert.True(cut.Find(".keys-verify").HasAttribute("disabled"));
        Assert.Equal("true", cut.Find(".keys-verify").GetAttribute("aria-busy"));
        await using (var rollback = blocker.CreateCommand())
        {
            rollback.CommandText = "ROLLBACK;";
            await rollback.ExecuteNonQueryAsync();
        }

        cut.WaitForAssertion(() => Assert.Equal("Every stored value opens.", cut.Find(".keys-verify-summary").TextContent.Trim()), Patience);
        Assert.Empty(cut.FindAll(".keys-verifying"));
    }

    [Fact]
    public void Render_MasterKeyFromTheFile_ShowsItsKindSourceAndIdAndCanRotate()
    {
        var cut = RenderPage();

        Assert.Equal("File", cut.Find(".keys-master-kind").TextContent.Trim());
        Assert.Equal($"The master key file {_real.Data.MasterKeyFile}", Squash(cut.Find(".keys-master-source").TextContent));
        Assert.Equal(_masterKeyId, cut.Find(".keys-master-id").TextContent.Trim());
        Assert.StartsWith("aes:", _masterKeyId, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll(".keys-master-unavailable"));
        Assert.Empty(cut.FindAll(".keys-master-environment"));
        Assert.False(cut.Find(".keys-rotate-master").HasAttribute("disabled"));
        Assert.Equal("Rotate master key", cut.Find(".keys-rotate-master").TextContent.Trim());
        AssertShowsNoSecret(cut);
    }

    [Fact]
    public void Render_MasterKeyFileGoneWhileRunning_WarnsToRestoreItBeforeTheNextRestart()
    {
        File.Delete(_real.Data.MasterKeyFile);

        var cut = RenderPage();

        Assert.Equal(
            "The master key file is missing: restore it before the next restart.",
            Squash(cut.Find(".keys-master-file-problem .mud-alert-message").TextContent));
        Assert.Equal(_masterKeyId, cut.Find(".keys-master-id").TextContent.Trim());
        Assert.Empty(cut.FindAll(".keys-master-unavailable"));
    }

    [Fact]
    public async Task Render_MasterKeyUnavailable_SaysWhyAndThatNothingCanBeSavedOrOpenedAndDisablesRotations()
    {
        await SeedSmtpAsync();
        const string reason = "the master key is unavailable: the PKCS#11 token 'secretadmin' is not present; insert it";
        Services.GetRequiredService<LoadedMasterKey>().MarkUnavailable(reason);
        Services.GetRequiredService<SecretSealer>().Suspend(reason);

        var cut = RenderPage();

        var alert = cut.Find(".keys-master-unavailable");
        Assert.Equal("alert", alert.GetAttribute("role"));
        Assert.Contains("mud-alert-text-error", alert.ClassName, StringComparison.Ordinal);
        Assert.Equal(
            "The master key is unavailable: the PKCS#11 token 'secretadmin' is not present; insert it. No secret can be saved or opened until it is back; the values stay as they are.",
            Squash(alert.QuerySelector(".mud-alert-message")!.TextContent));
        Assert.Equal("—", cut.Find(".keys-master-id").TextContent.Trim());
        Assert.True(cut.Find(".keys-rotate-master").HasAttribute("disabled"));
        Assert.True(cut.Find(".keys-rotate").HasAttribute("disabled"));
        Assert.True(cut.Find(".keys-reseal-start").HasAttribute("disabled"));
        Assert.False(cut.Find(".keys-verify").HasAttribute("disabled"));
        Assert.Equal(["1"], KeyIds(cut));
        Assert.Equal("1", Text(Row(cut, 1), ".key-values"));
        AssertShowsNoSecret(cut);
    }

    [Fact]
    public void Render_MasterKeyStopsAnsweringWhileOpen_ThePageIsToldAndShowsTheAlert()
    {
        var cut = RenderPage();
        Assert.Empty(cut.FindAll(".keys-master-unavailable"));

        // As the re-loader does when the token is pulled out; nobody tells the page.
        Services.GetRequiredService<LoadedMasterKey>().MarkUnavailable("the master key is unavailable: the token was removed");

        cut.WaitForAssertion(() => Assert.Contains("The master key is unavailable: the token was removed.", Squash(cut.Find(".keys-master-unavailable").TextContent), StringComparison.Ordinal), Patience);
        Assert.True(cut.Find(".keys-rotate-master").HasAttribute("disabled"));
    }

    [Fact]
    public async Task RotateMaster_Confirmed_RewrapsEveryDataKeyUnderTheNewKeyAndShowsItsId()
    {
        await SeedSecretsAsync();
        await Keys.RotateAsync(AuditActor.Cli);
        var cut = RenderPage();

        await cut.ClickAsync(".keys-rotate-master");
        Assert.Contains("Rotate the master key?", cut.WaitForElement(".mud-dialog-title", Patience).TextContent, StringComparison.Ordinal);
        var message = cut.Find(".confirm-message").TextContent;
        Assert.Contains("every data key and session key is re-wrapped under it in one transaction", message, StringComparison.Ordinal);
        Assert.Contains("No sealed value is touched", message, StringComparison.Ordinal);
        Assert.Contains("Back up the new master key afterwards", message, StringComparison.Ordinal);
        await cut.ClickAsync(".confirm-ok");

        cut.WaitForAssertion(() => Assert.NotEqual(_masterKeyId, cut.Find(".keys-master-id").TextContent.Trim()), Patience);
        var newId = cut.Find(".keys-master-id").TextContent.Trim();
        Assert.StartsWith("aes:", newId, StringComparison.Ordinal);
        Assert.Equal([(1, newId), (2, newId)], (await DataKeysAsync()).Select(k => (k.Id, k.MasterKeyId)));
        Assert.Equal(newId, Keys.MasterKey.Id);
        Assert.Contains(Services.GetRequiredService<ISnackbar>().ShownSnackbars,
            s => s.Severity == Severity.Success && s.Message!.StartsWith($"Master key {newId} wraps 2 key(s) now. Back up the master key file now", StringComparison.Ordinal));
        Assert.False(cut.Find(".keys-rotate-master").HasAttribute("disabled"));
        Assert.True((await SealedValues.VerifyAsync(AuditActor.Cli)).AllOpen);
        Assert.Single((await Services.GetRequiredService<AuditLog>().SearchAsync(new AuditQuery(Action: AuditActions.MasterKeyRotated, Actor: AdminEmail))).Items);
        AssertShowsNoSecret(cut);
    }

    [Fact]
    public async Task RotateMaster_Cancelled_ChangesNothing()
    {
        var cut = RenderPage();

        await cut.ClickAsync(".keys-rotate-master");
        cut.WaitForElement(".confirm-cancel", Patience);
        await cut.ClickAsync(".confirm-cancel");

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll(".confirm-message")), Patience);
        Assert.Equal(_masterKeyId, cut.Find(".keys-master-id").TextContent.Trim());
        Assert.Equal([_masterKeyId], (await DataKeysAsync()).Select(k => k.MasterKeyId));
    }

    [Fact]
    public async Task RotateMaster_KeyStopsAnsweringBeforeTheClick_ShowsWhyAndLosesNothing()
    {
        await SeedSecretsAsync();
        var cut = RenderPage();
        // After the page showed the key: the token is pulled, say.
        const string reason = "the master key is unavailable: the PKCS#11 token 'secretadmin' is not present; insert it";
        Services.GetRequiredService<LoadedMasterKey>().MarkUnavailable(reason);

        await cut.ClickAsync(".keys-rotate-master");
        cut.WaitForElement(".confirm-ok", Patience);
        await cut.ClickAsync(".confirm-ok");

        cut.WaitForAssertion(() => Assert.Contains(Services.GetRequiredService<ISnackbar>().ShownSnackbars, s => s.Severity == Severity.Error), Patience);
        var shown = Services.GetRequiredService<ISnackbar>().ShownSnackbars.Single(s => s.Severity == Severity.Error).Message;
        Assert.Equal($"The master key was not rotated; nothing was changed: {reason}.", shown);
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll(".keys-master-unavailable")), Patience);
        Assert.True(cut.Find(".keys-rotate-master").HasAttribute("disabled"));
        Assert.Equal([_masterKeyId], (await DataKeysAsync()).Select(k => k.MasterKeyId));
        Assert.False(File.Exists(_real.Data.MasterKeyFile + ".next"));
        Assert.Equal(_masterKeyText, File.ReadAllText(_real.Data.MasterKeyFile).Trim());
        AssertShowsNoSecret(cut);
    }

    [Fact]
    public void Render_MasterKeyFromTheEnvironment_DisablesRotationAndSaysToUseNextValueOnTheCommandLine()
    {
        _masterKey.Value = _masterKeyText;

        var cut = RenderPage();

        Assert.Equal("Environment variable", cut.Find(".keys-master-kind").TextContent.Trim());
        Assert.Equal($"The environment variable {MasterKeyOptions.ValueVariable}", Squash(cut.Find(".keys-master-source").TextContent));
        Assert.Equal(_masterKeyId, cut.Find(".keys-master-id").TextContent.Trim());
        var button = cut.Find(".keys-rotate-master");
        Assert.True(button.HasAttribute("disabled"));
        Assert.Equal("keys-master-environment", button.GetAttribute("aria-describedby"));
        var note = Squash(cut.Find("#keys-master-environment").TextContent);
        Assert.Contains($"set {MasterKeyOptions.NextValueVariable} to the new key and run SecretAdmin keys rotate-master on the command line", note, StringComparison.Ordinal);
        Assert.False(cut.Find(".keys-rotate").HasAttribute("disabled"));
        AssertShowsNoSecret(cut);
    }

    [Fact]
    public async Task Render_DataKeys_ShowEachKeysSealsOfTheLimitAndSayTheyAreCountedInReservedBlocks()
    {
        await SeedSecretsAsync();
        await Keys.RotateAsync(AuditActor.Cli);

        var cut = RenderPage();

        cut.WaitForAssertion(() => Assert.Equal(["1", "2"], KeyIds(cut)), Patience);
        // The new key's first block is reserved as it becomes active, before any seal needs it.
        Assert.Equal(("1,000 of 1,073,741,824", "1,000 of 1,073,741,824"), (Text(Row(cut, 1), ".key-seals"), Text(Row(cut, 2), ".key-seals")));
        Assert.Equal([1000L, 1000L], (await DataKeysAsync()).Select(k => k.Seals));
        var note = Squash(cut.Find(".keys-seals-note").TextContent);
        Assert.Contains("counted in blocks of 1,000 reserved ahead", note, StringComparison.Ordinal);
        Assert.Contains("1,073,741,824 seals hands over to a new one", note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_SealLimitOfTheSettings_IsTheLimitShown()
    {
        _sealing.SealsPerDataKey = 5_000;
        _sealing.SealReservationBlock = 2;
        await SeedSmtpAsync();

        var cut = RenderPage();

        Assert.Equal("2 of 5,000", Text(Row(cut, 1), ".key-seals"));
    }

    [Fact]
    public async Task Dispose_PageClosed_StopsFollowingTheRuns()
    {
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.Equal(1, Monitor.Subscribers), Patience);

        await DisposeComponentsAsync();

        Assert.Equal(0, Monitor.Subscribers);
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await Monitor.StopAsync(CancellationToken.None);

        // A re-seal started by the page runs on; the folder goes only once it has ended.
        var runner = Services.GetRequiredService<KeyJobRunner>();
        var until = DateTime.UtcNow + Patience;
        while (runner.IsRunning && DateTime.UtcNow < until)
        {
            await Task.Delay(50);
        }

        await base.DisposeAsyncCore();
        _real.Dispose();
    }

    private IRenderedComponent<Bunit.Rendering.ContainerFragment> RenderPage(bool loaded = true)
    {
        var cut = Render(builder =>
        {
            builder.OpenComponent<MudPopoverProvider>(0);
            builder.CloseComponent();
            builder.OpenComponent<MudDialogProvider>(1);
            builder.CloseComponent();
            builder.OpenComponent<MudSnackbarProvider>(2);
            builder.CloseComponent();
            builder.OpenComponent<KeysPage>(3);
            builder.CloseComponent();
        });
        if (loaded)
        {
            cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("tr.keys-row")), Patience);
        }

        return cut;
    }

    /// <summary>Three sealed values, one per sealed column: the OIDC client secret, the SMTP password and a user's authenticator.</summary>
    private async Task SeedSecretsAsync()
    {
        var oidc = await Services.GetRequiredService<OidcSettingsService>()
            .SaveAsync(AuditActor.Cli, new OidcSettingsForm { ClientId = "secretadmin", NewClientSecret = OidcSecret }, 0);
        Assert.True(oidc.Succeeded, oidc.Message);
        await SeedSmtpAsync();

        var users = Services.GetRequiredService<UserAdminService>();
        var created = await users.CreateAsync(AuditActor.Cli, UserEmail, "Correct-Horse-42!", isAdmin: false);
        Assert.True(created.Succeeded, created.Message);
        var userId = (await users.SearchAsync(new UserQuery("ada"))).Items.Single().Id;
        var mfa = Services.GetRequiredService<MfaEnrollmentService>();
        var offer = await mfa.OfferAsync(userId);
        _totpKey = offer.ManualKey.Replace(" ", "", StringComparison.Ordinal);
        var code = new OtpNet.Totp(OtpNet.Base32Encoding.ToBytes(_totpKey)).ComputeTotp(DateTime.UtcNow.AddSeconds(-30));
        var enrolled = await mfa.ConfirmAsync(AuditActor.Cli, userId, offer, code);
        Assert.True(enrolled.Succeeded, enrolled.Message);
    }

    private async Task SeedSmtpAsync()
    {
        var smtp = Services.GetRequiredService<SmtpSettingsService>();
        var version = (await smtp.GetAsync()).Version;
        var result = await smtp.SaveAsync(AuditActor.Cli, new SmtpSettingsForm
        {
            Host = "smtp.example.test",
            Port = 587,
            Username = "mailer",
            NewPassword = SmtpPassword,
            FromAddress = "no-reply@example.test",
        }, version);
        Assert.True(result.Succeeded, result.Message);
    }

    private Task<IReadOnlyList<DataKey>> DataKeysAsync() => Services.GetRequiredService<DataKeyStore>().ReadAllAsync(CancellationToken.None);

    private async Task ExecuteAsync(string sql, params object[] parameters)
    {
        await using var db = await Services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync();
        await db.Database.ExecuteSqlRawAsync(sql, parameters);
    }

    private async Task<string> StoredSmtpPasswordAsync()
    {
        await using var db = await Services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync();
        return await db.Database.SqlQueryRaw<string>("SELECT \"Password\" AS \"Value\" FROM \"SmtpSettings\"").SingleAsync();
    }

    /// <summary>Writes a run's record as another process (the command line) would.</summary>
    private async Task<long> RecordRunAsync(KeyOperation run)
    {
        await using var db = await Services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync();
        db.KeyOperations.Add(run);
        await db.SaveChangesAsync();
        return run.Id;
    }

    private async Task UpdateRunAsync(long id, Action<KeyOperation> change)
    {
        await using var db = await Services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync();
        change(await db.KeyOperations.SingleAsync(o => o.Id == id));
        await db.SaveChangesAsync();
    }

    /// <summary>No envelope, key material or seeded secret anywhere in what the page (its dialogs and snackbars included) renders.</summary>
    private void AssertShowsNoSecret(IRenderedComponent<Bunit.Rendering.ContainerFragment> cut)
    {
        var markup = cut.Markup;
        Assert.DoesNotContain(Envelope.Prefix, markup, StringComparison.Ordinal);
        Assert.DoesNotContain(OidcSecret, markup, StringComparison.Ordinal);
        Assert.DoesNotContain(SmtpPassword, markup, StringComparison.Ordinal);
        if (_totpKey is not null)
        {
            Assert.DoesNotContain(_totpKey, markup.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        }

        Assert.DoesNotContain(_masterKeyText, markup, StringComparison.Ordinal);
        var sealer = Services.GetRequiredService<SecretSealer>();
        if (sealer.IsLoaded)
        {
            foreach (var key in sealer.KeyRing.Keys)
            {
                Assert.DoesNotContain(Convert.ToBase64String(key.Material), markup, StringComparison.Ordinal);
            }
        }
    }

    private static IReadOnlyList<string> KeyIds(IRenderedComponent<Bunit.Rendering.ContainerFragment> cut) =>
        cut.FindAll("tr.keys-row .key-id").Select(cell => cell.TextContent.Trim()).ToList();

    private static IElement Row(IRenderedComponent<Bunit.Rendering.ContainerFragment> cut, int keyId) =>
        Assert.Single(cut.FindAll("tr.keys-row"), row => row.QuerySelector(".key-id")!.TextContent.Trim() == keyId.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static IElement RetireButton(IRenderedComponent<Bunit.Rendering.ContainerFragment> cut, int keyId) =>
        Row(cut, keyId).QuerySelector("button.key-retire")!;

    private static string Text(IElement row, string selector) => row.QuerySelector(selector)!.TextContent.Trim();

    private static IEnumerable<string> VerifyRows(IRenderedComponent<Bunit.Rendering.ContainerFragment> cut) =>
        cut.FindAll("tr.keys-verify-row").Select(RowText);

    private static string RowText(IElement row) => string.Join(" ", row.QuerySelectorAll("td").Select(td => td.TextContent.Trim()));

    private static string Squash(string text) => string.Join(" ", text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    /// <summary>The app is running and never stops during a test: what the job runner needs of the host.</summary>
    private sealed class RunningApplication : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication()
        {
        }
    }
}
