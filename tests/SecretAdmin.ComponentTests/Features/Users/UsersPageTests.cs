using AngleSharp.Dom;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using SecretAdmin.Access;
using SecretAdmin.ComponentTests.Support;
using SecretAdmin.Data;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Users;
using SecretAdmin.Features.Mfa.Totp;

namespace SecretAdmin.ComponentTests.Features.Users;

public class UsersPageTests : MudComponentTestContext
{
    private const string AdminEmail = "admin@example.test";
    private const string AdminPassword = "Correct-Horse-42!";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly RealServices _real = new();

    public UsersPageTests()
    {
        _real.AddTo(Services);
        var auth = AddAuthorization();
        auth.SetAuthorized(AdminEmail);
        auth.SetRoles(Roles.Admin);
    }

    private UserAdminService Users => Services.GetRequiredService<UserAdminService>();

    [Fact]
    public async Task Render_SeededUsers_ListsRolesMfaSsoStatusAndLastSignIn()
    {
        await SeedAdminAsync();
        await SeedUserAsync("bob@example.test");
        await SetLastSignInAsync(AdminEmail, new DateTime(2026, 11, 23, 14, 5, 0, DateTimeKind.Utc));

        var cut = RenderPage();

        cut.WaitForAssertion(() => Assert.Equal(2, Rows(cut).Count), Patience);
        var admin = Row(cut, AdminEmail);
        Assert.Equal(["Admin", "User"], Texts(admin, ".user-role"));
        Assert.Equal(["Active"], Texts(admin, ".user-status"));
        Assert.Equal("Off", Text(admin, ".user-mfa"));
        Assert.Equal("—", Text(admin, ".user-sso"));
        Assert.Equal("23 Nov 2026, 14:05 UTC", Text(admin, ".user-last-sign-in").Replace('\u00a0', ' '));
        Assert.Contains("(you)", admin.TextContent);
        var bob = Row(cut, "bob@example.test");
        Assert.Equal(["User"], Texts(bob, ".user-role"));
        Assert.Equal(["Must change password"], Texts(bob, ".user-status"));
        Assert.Equal("never", Text(bob, ".user-last-sign-in"));
        Assert.DoesNotContain("(you)", bob.TextContent);
    }

    [Fact]
    public async Task Render_OneAdmin_TitlesPageAndLabelsRowActions()
    {
        await SeedAdminAsync();

        var cut = RenderPage();

        Assert.Equal("Users", cut.Find("h1").TextContent.Trim());
        cut.WaitForAssertion(() => Assert.Single(Rows(cut)), Patience);
        var admin = Row(cut, AdminEmail);
        Assert.Equal($"Disable {AdminEmail}", admin.QuerySelector(".user-disable")!.GetAttribute("aria-label"));
        Assert.Equal($"Revoke administrator from {AdminEmail}", admin.QuerySelector(".user-revoke-admin")!.GetAttribute("aria-label"));
        Assert.Null(admin.QuerySelector(".user-unlock"));
    }

    [Fact]
    public async Task SearchBox_PartOfEmail_ShowsOnlyMatchingUsers()
    {
        await SeedAdminAsync();
        await SeedUserAsync("bob@example.test");
        await SeedUserAsync("carol@example.test");
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.Equal(3, Rows(cut).Count), Patience);

        await cut.InputAsync("#users-search", "CAROL");

        cut.WaitForAssertion(() => Assert.Equal(["carol@example.test"], Rows(cut).Select(EmailOf)), Patience);
    }

    [Fact]
    public async Task SearchBox_NoMatch_ShowsEmptyState()
    {
        await SeedAdminAsync();
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.Single(Rows(cut)), Patience);

        await cut.InputAsync("#users-search", "nobody");

        cut.WaitForAssertion(() => Assert.Contains("No users match “nobody”.", cut.Find(".users-empty").TextContent), Patience);
        Assert.Empty(Rows(cut));
    }

    [Fact]
    public async Task Render_WhileDatabaseIsBusy_ShowsLoadingThenRows()
    {
        await SeedAdminAsync();
        await using var blocker = await HoldDatabaseAsync("BEGIN EXCLUSIVE;");

        var cut = RenderPage();

        cut.WaitForAssertion(() => Assert.Contains("Loading users…", cut.Find(".users-loading").TextContent), Patience);
        Assert.Empty(Rows(cut));
        Assert.Empty(cut.FindAll(".users-empty"));
        await ReleaseAsync(blocker);
        cut.WaitForAssertion(() => Assert.Single(Rows(cut)), Patience);
        Assert.Empty(cut.FindAll(".users-loading"));
    }

    [Fact]
    public async Task SortHeader_LastSignIn_OrdersByLastSignInThenReverses()
    {
        await SeedAdminAsync();
        await SeedUserAsync("bob@example.test");
        await SeedUserAsync("carol@example.test");
        await SetLastSignInAsync(AdminEmail, new DateTime(2026, 11, 23, 9, 0, 0, DateTimeKind.Utc));
        await SetLastSignInAsync("carol@example.test", new DateTime(2026, 11, 1, 9, 0, 0, DateTimeKind.Utc));
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.Equal([AdminEmail, "bob@example.test", "carol@example.test"], Rows(cut).Select(EmailOf)), Patience);

        await cut.InvokeAsync(() => SortHeader(cut, "Last sign-in").Click());
        cut.WaitForAssertion(() => Assert.Equal(["bob@example.test", "carol@example.test", AdminEmail], Rows(cut).Select(EmailOf)), Patience);
        await cut.InvokeAsync(() => SortHeader(cut, "Last sign-in").Click());

        cut.WaitForAssertion(() => Assert.Equal([AdminEmail, "carol@example.test", "bob@example.test"], Rows(cut).Select(EmailOf)), Patience);
    }

    [Fact]
    public void Render_DatabaseWithoutSchema_ShowsGenericErrorWithoutDetails()
    {
        // No migration: every query fails with "no such table".

        var cut = RenderPage();

        cut.WaitForAssertion(() => Assert.Contains("could not be loaded", cut.Find(".users-load-error").TextContent), Patience);
        Assert.Empty(Rows(cut));
        Assert.DoesNotContain("no such table", cut.Markup, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(_real.Data.DatabaseFile, cut.Markup);
    }

    [Fact]
    public async Task RevokeAdmin_OnlyAdmin_ShowsRefusalAndUserStaysAdmin()
    {
        await SeedAdminAsync();
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.Single(Rows(cut)), Patience);

        await ClickInRowAsync(cut, AdminEmail, ".user-revoke-admin");
        cut.WaitForElement(".confirm-ok", Patience);
        await cut.ClickAsync(".confirm-ok");

        cut.WaitForAssertion(() => Assert.Contains("is the last enabled administrator", cut.Find(".mud-snackbar").TextContent), Patience);
        var shown = Assert.Single(Services.GetRequiredService<ISnackbar>().ShownSnackbars);
        Assert.Equal(Severity.Error, shown.Severity);
        var stored = Assert.Single((await Users.SearchAsync(new UserQuery())).Items);
        Assert.True(stored.IsAdmin);
        Assert.Equal(["Admin", "User"], Texts(Row(cut, AdminEmail), ".user-role"));
    }

    [Fact]
    public async Task ResetMfa_Confirmed_TurnsItOffAndAuditsWithoutValues()
    {
        await SeedAdminAsync();
        await SeedUserAsync("bob@example.test");
        await SetEnrolledAsync("bob@example.test");
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.Equal(2, Rows(cut).Count), Patience);
        Assert.Empty(Row(cut, AdminEmail).QuerySelectorAll(".user-reset-mfa"));

        await ClickInRowAsync(cut, "bob@example.test", ".user-reset-mfa");
        cut.WaitForElement(".confirm-ok", Patience);
        Assert.Contains("second factors (authenticator app) and recovery codes are removed", cut.Find(".confirm-message").TextContent, StringComparison.Ordinal);
        await cut.ClickAsync(".confirm-ok");

        WaitUntilDone(cut, "bob@example.test", row => Assert.Equal("Off", Text(row, ".user-mfa")));
        await using var db = await Services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync();
        var bob = await db.Users.SingleAsync(u => u.Email == "bob@example.test");
        Assert.Equal((false, null), (bob.TwoFactorEnabled, bob.TotpSecret.Envelope));
        var entry = Assert.Single((await Services.GetRequiredService<AuditLog>().SearchAsync(new(Action: AuditActions.MfaReset))).Items);
        Assert.Equal((AdminEmail, "bob@example.test", "Authenticator,Passkeys,RecoveryCodes"), (entry.Actor, entry.Target, entry.ChangedFields));
    }

    [Fact]
    public async Task ResetMfa_Cancelled_KeepsTheAuthenticator()
    {
        await SeedAdminAsync();
        await SeedUserAsync("bob@example.test");
        await SetEnrolledAsync("bob@example.test");
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.Equal(2, Rows(cut).Count), Patience);

        await ClickInRowAsync(cut, "bob@example.test", ".user-reset-mfa");
        cut.WaitForElement(".confirm-cancel", Patience);
        await cut.ClickAsync(".confirm-cancel");

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll(".confirm-cancel")), Patience);
        Assert.True((await FindAsync("bob@example.test")).MfaEnabled);
    }

    [Fact]
    public async Task GrantThenRevokeAdmin_SecondUser_ChangesRolesAndWritesAuditEntries()
    {
        await SeedAdminAsync();
        await SeedUserAsync("bob@example.test");
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.Equal(2, Rows(cut).Count), Patience);

        await ClickInRowAsync(cut, "bob@example.test", ".user-grant-admin");
        WaitUntilDone(cut, "bob@example.test", row => Assert.Equal(["Admin", "User"], Texts(row, ".user-role")));
        await ClickInRowAsync(cut, "bob@example.test", ".user-revoke-admin");
        cut.WaitForElement(".confirm-ok", Patience);
        await cut.ClickAsync(".confirm-ok");

        WaitUntilDone(cut, "bob@example.test", row => Assert.Equal(["User"], Texts(row, ".user-role")));
        Assert.False((await FindAsync("bob@example.test")).IsAdmin);
        var audit = Services.GetRequiredService<AuditLog>();
        var granted = Assert.Single((await audit.SearchAsync(new AuditQuery(Action: AuditActions.AdminGranted))).Items);
        var revoked = Assert.Single((await audit.SearchAsync(new AuditQuery(Action: AuditActions.AdminRevoked))).Items);
        Assert.All([granted, revoked], entry =>
        {
            Assert.Equal(AdminEmail, entry.Actor);
            Assert.Equal("bob@example.test", entry.Target);
        });
        Assert.Contains(Services.GetRequiredService<ISnackbar>().ShownSnackbars,
            s => s.Severity == Severity.Success && s.Message == "bob@example.test is no longer an administrator.");
    }

    [Fact]
    public async Task Disable_Clicked_AsksForConfirmationAndCancelChangesNothing()
    {
        await SeedAdminAsync();
        await SeedUserAsync("bob@example.test");
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.Equal(2, Rows(cut).Count), Patience);

        await ClickInRowAsync(cut, "bob@example.test", ".user-disable");

        var message = cut.WaitForElement(".confirm-message", Patience);
        Assert.Contains("bob@example.test will be signed out", message.TextContent);
        Assert.Contains("Disable user?", cut.Find(".mud-dialog-title").TextContent);
        Assert.False((await FindAsync("bob@example.test")).IsDisabled);
        await cut.ClickAsync(".confirm-cancel");
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll(".confirm-message")), Patience);
        Assert.False((await FindAsync("bob@example.test")).IsDisabled);
        Assert.Equal(["Must change password"], Texts(Row(cut, "bob@example.test"), ".user-status"));
    }

    [Fact]
    public async Task Disable_Confirmed_ShowsDisabledAndOffersEnable()
    {
        await SeedAdminAsync();
        await SeedUserAsync("bob@example.test");
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.Equal(2, Rows(cut).Count), Patience);

        await ClickInRowAsync(cut, "bob@example.test", ".user-disable");
        cut.WaitForElement(".confirm-ok", Patience);
        await cut.ClickAsync(".confirm-ok");

        WaitUntilDone(cut, "bob@example.test", row => Assert.Contains("Disabled", Texts(row, ".user-status")));
        Assert.NotNull(Row(cut, "bob@example.test").QuerySelector(".user-enable"));
        Assert.True((await FindAsync("bob@example.test")).IsDisabled);
    }

    [Fact]
    public async Task Unlock_LockedUser_ShowsLockedThenUnlocks()
    {
        await SeedAdminAsync();
        await SeedUserAsync("bob@example.test");
        await LockOutAsync("bob@example.test");
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.Contains("Locked", Texts(Row(cut, "bob@example.test"), ".user-status")), Patience);

        await ClickInRowAsync(cut, "bob@example.test", ".user-unlock");

        WaitUntilDone(cut, "bob@example.test", row => Assert.DoesNotContain("Locked", Texts(row, ".user-status")));
        Assert.Null(Row(cut, "bob@example.test").QuerySelector(".user-unlock"));
        Assert.False((await FindAsync("bob@example.test")).IsLockedOut);
    }

    [Fact]
    public async Task Change_WhileDatabaseIsBusy_ShowsProgressAndDisablesThatRowOnly()
    {
        await SeedAdminAsync();
        await SeedUserAsync("bob@example.test");
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.Equal(2, Rows(cut).Count), Patience);
        // Another writer holds the database, so the change waits (busy_timeout) until it lets go.
        await using var blocker = await HoldDatabaseAsync("BEGIN IMMEDIATE;");

        await ClickInRowAsync(cut, "bob@example.test", ".user-grant-admin");

        cut.WaitForAssertion(() => Assert.NotNull(Row(cut, "bob@example.test").QuerySelector(".user-busy")), Patience);
        var bob = Row(cut, "bob@example.test");
        Assert.Equal("true", bob.QuerySelector(".user-actions")!.GetAttribute("aria-busy"));
        Assert.All(bob.QuerySelectorAll(".user-actions button"), button => Assert.True(button.HasAttribute("disabled")));
        Assert.All(Row(cut, AdminEmail).QuerySelectorAll(".user-actions button"), button => Assert.False(button.HasAttribute("disabled")));
        await ReleaseAsync(blocker);

        WaitUntilDone(cut, "bob@example.test", row => Assert.Equal(["Admin", "User"], Texts(row, ".user-role")));
        Assert.Null(Row(cut, "bob@example.test").QuerySelector(".user-busy"));
    }

    [Fact]
    public async Task CreateDialog_EmptyFields_ShowsRequiredMessagesAndSavesNothing()
    {
        await SeedAdminAsync();
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.Single(Rows(cut)), Patience);
        await cut.ClickAsync(".users-create");
        cut.WaitForElement(".create-user-form", Patience);

        await SubmitCreateDialogAsync(cut);

        cut.WaitForAssertion(() =>
        {
            Assert.Equal("Enter the user's email address.", FieldError(cut, ".create-user-email"));
            Assert.Equal("Enter a temporary password, or generate one.", FieldError(cut, ".create-user-password"));
        }, Patience);
        Assert.NotEmpty(cut.FindAll(".create-user-form"));
        Assert.Equal(1, (await Users.SearchAsync(new UserQuery())).TotalCount);
    }

    [Fact]
    public async Task CreateDialog_InvalidEmailAndShortPassword_ShowsFieldMessagesAndSavesNothing()
    {
        await SeedAdminAsync();
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.Single(Rows(cut)), Patience);
        await cut.ClickAsync(".users-create");
        cut.WaitForElement(".create-user-form", Patience);

        await cut.InputAsync("#create-user-email", "not-an-email");
        await cut.InputAsync("#create-user-password", "Short-1");
        await SubmitCreateDialogAsync(cut);

        cut.WaitForAssertion(() =>
        {
            Assert.Equal("Enter a valid email address.", FieldError(cut, ".create-user-email"));
            Assert.Equal("Use at least 12 characters.", FieldError(cut, ".create-user-password"));
        }, Patience);
        Assert.Equal(1, (await Users.SearchAsync(new UserQuery())).TotalCount);
    }

    [Fact]
    public async Task CreateDialog_ServerRefusesPassword_ShowsReasonUnderPasswordField()
    {
        await SeedAdminAsync();
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.Single(Rows(cut)), Patience);
        await cut.ClickAsync(".users-create");
        cut.WaitForElement(".create-user-form", Patience);

        await cut.InputAsync("#create-user-email", "dave@example.test");
        await cut.InputAsync("#create-user-password", "no-capitals-here-42");
        await SubmitCreateDialogAsync(cut);

        cut.WaitForAssertion(() => Assert.Contains("uppercase", FieldError(cut, ".create-user-password")), Patience);
        Assert.Null(FieldError(cut, ".create-user-email"));
        Assert.Empty((await Users.SearchAsync(new UserQuery("dave"))).Items);
    }

    [Fact]
    public async Task CreateDialog_ExistingEmail_ShowsReasonUnderEmailField()
    {
        await SeedAdminAsync();
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.Single(Rows(cut)), Patience);
        await cut.ClickAsync(".users-create");
        cut.WaitForElement(".create-user-form", Patience);

        await cut.InputAsync("#create-user-email", AdminEmail);
        await cut.InputAsync("#create-user-password", "Another-Good-Password-7");
        await SubmitCreateDialogAsync(cut);

        cut.WaitForAssertion(() => Assert.Contains("is already taken", FieldError(cut, ".create-user-email")), Patience);
        Assert.Equal(1, (await Users.SearchAsync(new UserQuery())).TotalCount);
    }

    [Fact]
    public async Task GeneratePassword_Clicked_FillsStrongPasswordShownOnceWithNotice()
    {
        await SeedAdminAsync();
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.Single(Rows(cut)), Patience);
        await cut.ClickAsync(".users-create");
        cut.WaitForElement(".create-user-form", Patience);
        Assert.Equal("password", cut.Find("#create-user-password").GetAttribute("type"));

        await cut.ClickAsync(".create-user-generate");

        var input = cut.Find("#create-user-password");
        var password = input.GetAttribute("value")!;
        Assert.Equal(TemporaryPassword.Length, password.Length);
        Assert.Contains(password, char.IsUpper);
        Assert.Contains(password, char.IsLower);
        Assert.Contains(password, char.IsDigit);
        Assert.Equal("text", input.GetAttribute("type"));
        Assert.Contains("not shown again", cut.Find(".create-user-generated").TextContent);
        await cut.ClickAsync(".create-user-generate");
        Assert.NotEqual(password, cut.Find("#create-user-password").GetAttribute("value"));
    }

    [Fact]
    public async Task CreateDialog_ValidUser_ShowsItMustChangePasswordAndNeverRendersThePassword()
    {
        await SeedAdminAsync();
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.Single(Rows(cut)), Patience);
        await cut.ClickAsync(".users-create");
        cut.WaitForElement(".create-user-form", Patience);
        Assert.Contains("must then choose their own", cut.Find(".create-user-notice").TextContent);

        await cut.InputAsync("#create-user-email", "erin@example.test");
        await cut.ClickAsync(".create-user-generate");
        var password = cut.Find("#create-user-password").GetAttribute("value")!;
        await SubmitCreateDialogAsync(cut);

        // The grid's reload and the dialog's removal are two renders; either may come first.
        cut.WaitForAssertion(() =>
        {
            Assert.Equal(2, Rows(cut).Count);
            Assert.Empty(cut.FindAll(".create-user-form"));
        }, Patience);
        Assert.Equal(["Must change password"], Texts(Row(cut, "erin@example.test"), ".user-status"));
        Assert.Equal(["User"], Texts(Row(cut, "erin@example.test"), ".user-role"));
        Assert.DoesNotContain(password, cut.Markup);
        var created = await FindAsync("erin@example.test");
        Assert.True(created.MustChangePassword);
        var entry = Assert.Single((await Services.GetRequiredService<AuditLog>().SearchAsync(new AuditQuery(Action: AuditActions.UserCreated, Actor: AdminEmail))).Items);
        Assert.Equal("erin@example.test", entry.Target);
        Assert.DoesNotContain(password, entry.ChangedFields ?? "");
    }

    [Fact]
    public async Task CreateDialog_AdministratorTicked_CreatesAnAdministrator()
    {
        await SeedAdminAsync();
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.Single(Rows(cut)), Patience);
        await cut.ClickAsync(".users-create");
        cut.WaitForElement(".create-user-form", Patience);

        await cut.InputAsync("#create-user-email", "frank@example.test");
        await cut.InputAsync("#create-user-password", "Frank-Temporary-Pass-1");
        await cut.InvokeAsync(() => cut.Find(".create-user-admin input").Change(true));
        await SubmitCreateDialogAsync(cut);

        cut.WaitForAssertion(() => Assert.Equal(["Admin", "User"], Texts(Row(cut, "frank@example.test"), ".user-role")), Patience);
        Assert.True((await FindAsync("frank@example.test")).IsAdmin);
    }

    [Fact]
    public async Task Render_Always_NeverRendersPasswordHashesOrSecurityStamps()
    {
        await SeedAdminAsync();
        await SeedUserAsync("bob@example.test");
        var cut = RenderPage();

        cut.WaitForAssertion(() => Assert.Equal(2, Rows(cut).Count), Patience);

        await using var db = await Services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync();
        var stored = await db.Users.AsNoTracking().ToListAsync();
        Assert.Equal(2, stored.Count);
        foreach (var user in stored)
        {
            Assert.False(string.IsNullOrEmpty(user.PasswordHash));
            Assert.False(string.IsNullOrEmpty(user.SecurityStamp));
            Assert.DoesNotContain(user.PasswordHash, cut.Markup);
            Assert.DoesNotContain(user.SecurityStamp, cut.Markup);
            Assert.DoesNotContain(user.ConcurrencyStamp!, cut.Markup);
        }
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await base.DisposeAsyncCore();
        _real.Dispose();
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _real.Dispose();
        }
    }

    private IRenderedComponent<Bunit.Rendering.ContainerFragment> RenderPage() => Render(builder =>
    {
        builder.OpenComponent<MudPopoverProvider>(0);
        builder.CloseComponent();
        builder.OpenComponent<MudDialogProvider>(1);
        builder.CloseComponent();
        builder.OpenComponent<MudSnackbarProvider>(2);
        builder.CloseComponent();
        builder.OpenComponent<UsersPage>(3);
        builder.CloseComponent();
    });

    private async Task SeedAdminAsync()
    {
        await RealServices.MigrateAsync(Services);
        var result = await Users.CreateAdminAsync(AuditActor.Cli, AdminEmail, AdminPassword);
        Assert.True(result.Succeeded, result.Message);
    }

    private async Task SeedUserAsync(string email)
    {
        var result = await Users.CreateAsync(AuditActor.Cli, email, "Temporary-Password-9", isAdmin: false);
        Assert.True(result.Succeeded, result.Message);
    }

    private async Task<UserSummary> FindAsync(string email) =>
        Assert.Single((await Users.SearchAsync(new UserQuery(email))).Items, u => u.Email == email);

    private async Task SetLastSignInAsync(string email, DateTime utc)
    {
        await using var db = await Services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync();
        var user = await db.Users.SingleAsync(u => u.Email == email);
        user.LastSignInAtUtc = utc;
        await db.SaveChangesAsync();
    }

    /// <summary>Marks the user enrolled as the MFA service leaves a row; the envelope is never opened on this page.</summary>
    private async Task SetEnrolledAsync(string email)
    {
        await using var db = await Services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync();
        var user = await db.Users.SingleAsync(u => u.Email == email);
        user.TwoFactorEnabled = true;
        user.TotpSecret = new SecretAdmin.Security.SealedSecret { Envelope = "sa1:k1:AAAA", UpdatedAtUtc = DateTime.UtcNow };
        user.TotpDigits = 6;
        user.TotpPeriodSeconds = 30;
        user.TotpAlgorithm = SecretAdmin.Features.Mfa.Totp.TotpAlgorithm.Sha1;
        await db.SaveChangesAsync();
    }

    private async Task LockOutAsync(string email)
    {
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<SecretAdminUser>>();
        var user = (await users.FindByEmailAsync(email))!;
        var result = await users.SetLockoutEndDateAsync(user, DateTimeOffset.UtcNow.AddMinutes(30));
        Assert.True(result.Succeeded);
    }

    /// <summary>
    /// Opens a second connection that takes the database's lock (<c>BEGIN IMMEDIATE</c> keeps other
    /// writers out, <c>BEGIN EXCLUSIVE</c> readers too), so the service waits for it. Readers are only
    /// kept out in rollback-journal mode, and EF Core creates the file in WAL mode: switch it back first.
    /// </summary>
    private async Task<SqliteConnection> HoldDatabaseAsync(string begin)
    {
        SqliteConnection.ClearAllPools();
        var connection = new SqliteConnection($"Data Source={_real.Data.DatabaseFile};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = DELETE;";
        Assert.Equal("delete", await command.ExecuteScalarAsync());
        command.CommandText = begin;
        await command.ExecuteNonQueryAsync();
        return connection;
    }

    private static async Task ReleaseAsync(SqliteConnection blocker)
    {
        await using var command = blocker.CreateCommand();
        command.CommandText = "ROLLBACK;";
        await command.ExecuteNonQueryAsync();
    }

    private static async Task SubmitCreateDialogAsync(IRenderedComponent<Bunit.Rendering.ContainerFragment> cut) =>
        await cut.InvokeAsync(() => cut.Find("form.create-user-form").Submit());

    private static IReadOnlyList<IElement> Rows(IRenderedComponent<Bunit.Rendering.ContainerFragment> cut) =>
        cut.FindAll(".user-actions").Select(actions => actions.Closest("tr")!).ToList();

    private static IElement Row(IRenderedComponent<Bunit.Rendering.ContainerFragment> cut, string email) =>
        Assert.Single(Rows(cut), row => EmailOf(row) == email);

    private static Task ClickInRowAsync(IRenderedComponent<Bunit.Rendering.ContainerFragment> cut, string email, string selector) =>
        cut.InvokeAsync(() => Row(cut, email).QuerySelector(selector)!.Click());

    /// <summary>Waits until a row's change has finished (its buttons are live again) and the row passes <paramref name="assertion"/>.</summary>
    private static void WaitUntilDone(IRenderedComponent<Bunit.Rendering.ContainerFragment> cut, string email, Action<IElement> assertion) =>
        cut.WaitForAssertion(() =>
        {
            var row = Row(cut, email);
            Assert.Equal("false", row.QuerySelector(".user-actions")!.GetAttribute("aria-busy"));
            assertion(row);
        }, Patience);

    /// <summary>The clickable title of a sortable column's header.</summary>
    private static IElement SortHeader(IRenderedComponent<Bunit.Rendering.ContainerFragment> cut, string title) =>
        Assert.Single(cut.FindAll("th .column-header > span:first-child"), header => header.TextContent.Trim() == title);

    private static string EmailOf(IElement row) => row.QuerySelector(".user-email")!.TextContent.Trim();

    private static string Text(IElement row, string selector) => row.QuerySelector(selector)!.TextContent.Trim();

    private static string[] Texts(IElement row, string selector) =>
        row.QuerySelectorAll(selector).Select(e => e.TextContent.Trim()).ToArray();

    /// <summary>The validation message MudBlazor shows under an input, or null when it shows none.</summary>
    private static string? FieldError(IRenderedComponent<Bunit.Rendering.ContainerFragment> cut, string fieldSelector) =>
        cut.Find(fieldSelector).QuerySelector(".mud-input-helper-text.mud-input-error")?.TextContent.Trim();
}
