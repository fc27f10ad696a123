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
/// The keys page against the real key lifecycle, job runner and run records on a SQLite file, with
/// the key ring in its file, and secrets sealed by the settings and MFA services themselves.
/// </summary>
public sealed class KeysPageTests : MudComponentTestContext
{
    private const string AdminEmail = "admin@example.test";
    private const string OidcSecret = "oidc-client-secret-4711";
    private const string SmtpPassword = "smtp-password-0815";
    private const string UserEmail = "ada@example.test";

    /// <summary>Generous: a re-seal runs on the thread pool, and the page looks for runs started elsewhere every few seconds.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly RealServices _real = new();

    // KeyRingSource reads this on every call: setting KeyRing makes the ring come "from the environment".
    private readonly SealingOptions _sealing = new();
    private string? _totpKey;

    public KeysPageTests()
    {
        var auth = AddAuthorization();
        auth.SetAuthorized(AdminEmail);
        auth.SetRoles(Roles.Admin);
        auth.SetClaims(new Claim(ClaimTypes.Email, AdminEmail));
        _real.AddTo(Services);
        Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(_sealing));
        Services.AddSingleton<SecretSealer>();
        Services.AddSecretAdminSettingsServices();
        Services.AddSingleton<IHostApplicationLifetime, RunningApplication>();
        Services.AddSingleton<KeyOperations>();
        Services.AddSingleton<KeyJobRunner>();
        RealServices.MigrateAsync(Services).GetAwaiter().GetResult();
        var ring = KeyRing.CreateNew(DateTimeOffset.UtcNow);
        Assert.True(new KeyRingFile(_real.Data.KeyRingFile).TryCreate(ring));
        Services.GetRequiredService<SecretSealer>().Use(ring);
    }

    private KeyLifecycleService Keys => Services.GetRequiredService<KeyLifecycleService>();

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
        Assert.Equal(("Missing from the key ring", "—", "1"), (Text(missing, ".key-state"), Text(missing, ".key-created"), Text(missing, ".key-values")));
        Assert.Contains("mud-chip-color-error", missing.QuerySelector(".key-state")!.ClassName, StringComparison.Ordinal);
        Assert.True(RetireButton(cut, 9).HasAttribute("disabled"));
        Assert.Equal(
            "1 value is sealed with key 9, which the key ring does not hold: it cannot be opened. Restore the key ring from its backup.",
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
    public async Task Rotate_Confirmed_AddsKey2AsActiveAndTheOldKeyKeepsItsValues()
    {
        await SeedSecretsAsync();
        var cut = RenderPage();

        await cut.ClickAsync(".keys-rotate");
        var message = cut.WaitForElement(".confirm-message", Patience).TextContent;
        Assert.Contains("new secrets are sealed with it at once", message, StringComparison.Ordinal);
        Assert.Contains("Back up the key ring file", message, StringComparison.Ordinal);
        Assert.Contains("re-seal", message, StringComparison.Ordinal);
        await cut.ClickAsync(".confirm-ok");

        cut.WaitForAssertion(() => Assert.Equal(["1", "2"], KeyIds(cut)), Patience);
        Assert.Equal(("Older, still in use", "3"), (Text(Row(cut, 1), ".key-state"), Text(Row(cut, 1), ".key-values")));
        Assert.Equal(("Active", "0"), (Text(Row(cut, 2), ".key-state"), Text(Row(cut, 2), ".key-values")));
        Assert.True(RetireButton(cut, 1).HasAttribute("disabled"));
        Assert.True(RetireButton(cut, 2).HasAttribute("disabled"));
        Assert.Equal((2, 2), (new KeyRingFile(_real.Data.KeyRingFile).Read().Active.Id, new KeyRingFile(_real.Data.KeyRingFile).Read().Keys.Count));
        Assert.Contains(Services.GetRequiredService<ISnackbar>().ShownSnackbars,
            s => s.Severity == Severity.Success && s.Message!.StartsWith("Key 2 is active. Back up the key ring file", StringComparison.Ordinal));
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
        Assert.Single(new KeyRingFile(_real.Data.KeyRingFile).Read().Keys);
    }

    [Fact]
    public async Task Rotate_KeyRingFromTheEnvironment_SaysToRotateOnTheCommandLineAndNeverShowsTheRing()
    {
        _sealing.KeyRing = await File.ReadAllTextAsync(_real.Data.KeyRingFile);
        var cut = RenderPage();

        await cut.ClickAsync(".keys-rotate");
        cut.WaitForElement(".confirm-ok", Patience);
        await cut.ClickAsync(".confirm-ok");

        cut.WaitForAssertion(() => Assert.Contains(Services.GetRequiredService<ISnackbar>().ShownSnackbars, s => s.Severity == Severity.Warning), Patience);
        var shown = Services.GetRequiredService<ISnackbar>().ShownSnackbars.Single(s => s.Severity == Severity.Warning).Message;
        Assert.Contains(SealingOptions.KeyRingVariable, shown, StringComparison.Ordinal);
        Assert.Contains("command line", shown, StringComparison.Ordinal);
        cut.WaitForAssertion(() => Assert.Contains(SealingOptions.KeyRingVariable, cut.Find(".mud-snackbar").TextContent, StringComparison.Ordinal), Patience);
        Assert.DoesNotContain(KeyRingJson.Format, cut.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("material", cut.Markup, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(["1"], KeyIds(cut));
        Assert.Single(new KeyRingFile(_real.Data.KeyRingFile).Read().Keys);
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

        await Keys.ResealAsync(AuditActor.Cli);
        cut.WaitForAssertion(() => Assert.Equal("0", Text(Row(cut, 1), ".key-values")), Patience);
        Assert.False(RetireButton(cut, 1).HasAttribute("disabled"));
        Assert.Equal("Can be retired", Text(Row(cut, 1), ".key-state"));
        Assert.True(RetireButton(cut, 2).HasAttribute("disabled"));
        await cut.InvokeAsync(() => RetireButton(cut, 1).Click());
        Assert.Contains("Retire key 1?", cut.WaitForElement(".mud-dialog-title", Patience).TextContent, StringComparison.Ordinal);
        await cut.ClickAsync(".confirm-ok");

        cut.WaitForAssertion(() => Assert.Equal(["2"], KeyIds(cut)), Patience);
        Assert.Equal([2], new KeyRingFile(_real.Data.KeyRingFile).Read().Keys.Select(k => k.Id));
        Assert.Contains(Services.GetRequiredService<ISnackbar>().ShownSnackbars, s => s.Severity == Severity.Success && s.Message == "Key 1 is retired.");
        Assert.Single((await Services.GetRequiredService<AuditLog>().SearchAsync(new AuditQuery(Action: AuditActions.KeyRetired, Actor: AdminEmail))).Items);
    }

    [Fact]
    public async Task Retire_KeyThatSealsAValueAgainMeanwhile_ShowsTheServicesRefusalAsAnError()
    {
        await SeedSmtpAsync();
        var sealedWithKey1 = await StoredSmtpPasswordAsync();
        await Keys.RotateAsync(AuditActor.Cli);
        await Keys.ResealAsync(AuditActor.Cli);
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.False(RetireButton(cut, 1).HasAttribute("disabled")), Patience);
        // After the page loaded, a backup is restored: the value is sealed with key 1 again.
        await ExecuteAsync("UPDATE \"SmtpSettings\" SET \"Password\" = {0}", sealedWithKey1);

        await cut.InvokeAsync(() => RetireButton(cut, 1).Click());
        cut.WaitForElement(".confirm-ok", Patience);
        await cut.ClickAsync(".confirm-ok");

        cut.WaitForAssertion(() => Assert.Contains(Services.GetRequiredService<ISnackbar>().ShownSnackbars, s => s.Severity == Severity.Error), Patience);
        var refusal = Services.GetRequiredService<ISnackbar>().ShownSnackbars.Single(s => s.Severity == Severity.Error);
        Assert.StartsWith("Key 1 still seals 1 stored value(s).", refusal.Message, StringComparison.Ordinal);
        Assert.Equal(2, new KeyRingFile(_real.Data.KeyRingFile).Read().Keys.Count);
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
        Assert.True((await Keys.VerifyAsync(AuditActor.Cli)).AllOpen);
        AssertShowsNoSecret(cut);
    }

    [Fact]
    public async Task Reseal_StartedElsewhere_ShowsOnThePageOnceItPollsAndRefreshesTheCounts()
    {
        await SeedSecretsAsync();
        await Keys.RotateAsync(AuditActor.Cli);
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.Equal("3", Text(Row(cut, 1), ".key-values")), Patience);
        Assert.Empty(cut.FindAll(".keys-operation"));

        // Not through the page or its runner: as the command line does.
        await Keys.ResealAsync(AuditActor.Cli);

        cut.WaitForAssertion(() => Assert.Equal("finished", cut.Find(".keys-operation").GetAttribute("data-state")), Patience);
        Assert.StartsWith("Started by cli,", Squash(cut.Find(".keys-operation-started").TextContent), StringComparison.Ordinal);
        Assert.Equal("3 / 3 values", Squash(cut.Find(".keys-operation-counts").TextContent));
        cut.WaitForAssertion(() => Assert.Equal(("0", "3"), (Text(Row(cut, 1), ".key-values"), Text(Row(cut, 2), ".key-values"))), Patience);
    }

    [Fact]
    public async Task Poll_RunningElsewhere_ShowsItsProgressDisablesReSealAndFollowsItToTheEnd()
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

    protected override async ValueTask DisposeAsyncCore()
    {
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

        foreach (var key in Services.GetRequiredService<SecretSealer>().KeyRing.Keys)
        {
            Assert.DoesNotContain(Convert.ToBase64String(key.Material), markup, StringComparison.Ordinal);
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
