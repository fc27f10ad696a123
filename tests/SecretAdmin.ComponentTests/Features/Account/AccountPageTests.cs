using System.Security.Claims;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SecretAdmin.Access;
using SecretAdmin.ComponentTests.Support;
using SecretAdmin.Data;
using SecretAdmin.Features.Account;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Users;

namespace SecretAdmin.ComponentTests.Features.Account;

public sealed class AccountPageTests : MudComponentTestContext
{
    private const string Email = "admin@example.test";
    private const string Password = "Correct-Horse-42!";

    private readonly RealServices _real = new();
    private readonly BunitAuthorizationContext _auth;

    public AccountPageTests()
    {
        _auth = AddAuthorization();
        _real.AddTo(Services);

        // Identity's token providers need Data Protection to be constructed; the web app registers it with sign-in.
        Services.AddSingleton<IDataProtectionProvider>(new EphemeralDataProtectionProvider());
        Services.AddSingleton<AccountProfileService>();
        RealServices.MigrateAsync(Services).GetAwaiter().GetResult();
    }

    [Fact]
    public async Task Render_SignedInAdmin_ShowsEmailRolesAndDates()
    {
        var user = await CreateAdminAsync();
        SignIn(user.Id, Roles.Admin, Roles.User);

        var cut = Render<AccountPage>();

        cut.WaitForAssertion(() => Assert.Equal(Email, cut.Find(".account-email").TextContent.Trim()));
        Assert.Equal([Roles.Admin, Roles.User], cut.FindAll(".account-role").Select(chip => chip.TextContent.Trim()));
        Assert.Equal(AccountPage.FormatTime(user.CreatedAtUtc), cut.Find(".account-created").TextContent.Trim());
        Assert.Equal("Not recorded yet", cut.Find(".account-last-sign-in").TextContent.Trim());
    }

    [Fact]
    public async Task Render_TwoFactorOff_SaysOff()
    {
        var user = await CreateAdminAsync();
        SignIn(user.Id, Roles.Admin, Roles.User);

        var cut = Render<AccountPage>();

        cut.WaitForAssertion(() => Assert.Contains("Off", cut.Find(".account-two-factor").TextContent));
        Assert.DoesNotContain("Enabled", cut.Find(".account-two-factor").TextContent);
    }

    [Fact]
    public async Task Render_TwoFactorOnAndSignedInBefore_SaysEnabledAndShowsLastSignIn()
    {
        var user = await CreateAdminAsync();
        var lastSignIn = new DateTime(2026, 11, 21, 8, 15, 0, DateTimeKind.Utc);
        await UpdateUserAsync(user.Id, u =>
        {
            u.TwoFactorEnabled = true;
            u.LastSignInAtUtc = lastSignIn;
        });
        SignIn(user.Id, Roles.Admin, Roles.User);

        var cut = Render<AccountPage>();

        cut.WaitForAssertion(() => Assert.Contains("Enabled", cut.Find(".account-two-factor").TextContent));
        Assert.Equal("2026-11-21 08:15 UTC", cut.Find(".account-last-sign-in").TextContent.Trim());
    }

    [Fact]
    public async Task Render_Always_NeverShowsPasswordHashOrStamps()
    {
        var user = await CreateAdminAsync();
        SignIn(user.Id, Roles.Admin, Roles.User);
        Assert.False(string.IsNullOrEmpty(user.PasswordHash));
        Assert.False(string.IsNullOrEmpty(user.SecurityStamp));
        Assert.False(string.IsNullOrEmpty(user.ConcurrencyStamp));

        var cut = Render<AccountPage>();

        cut.WaitForAssertion(() => Assert.Equal(Email, cut.Find(".account-email").TextContent.Trim()));
        Assert.DoesNotContain(user.PasswordHash!, cut.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain(user.SecurityStamp!, cut.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain(user.ConcurrencyStamp!, cut.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, cut.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChangePassword_Always_IsALinkToTheServerRenderedPage()
    {
        var user = await CreateAdminAsync();
        SignIn(user.Id, Roles.Admin, Roles.User);

        var cut = Render<AccountPage>();

        cut.WaitForAssertion(() =>
        {
            var link = cut.Find("a.account-change-password");
            Assert.Equal(AccountPaths.ChangePassword, link.GetAttribute("href"));
            Assert.Contains("Change password", link.TextContent);
        });
    }

    [Fact]
    public void Render_UserNoLongerExists_SaysNotFound()
    {
        SignIn("no-such-user-id", Roles.User);

        var cut = Render<AccountPage>();

        cut.WaitForAssertion(() => Assert.Contains("Your account was not found", cut.Find(".account-missing").TextContent));
        Assert.Empty(cut.FindAll(".account-change-password"));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _real.Dispose();
    }

    private void SignIn(string userId, params string[] roles)
    {
        _auth.SetAuthorized(Email);
        _auth.SetRoles(roles);
        _auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, userId), new Claim(ClaimTypes.Email, Email));
    }

    private async Task<SecretAdminUser> CreateAdminAsync()
    {
        var result = await Services.GetRequiredService<UserAdminService>().CreateAdminAsync(AuditActor.Cli, Email, Password);
        Assert.True(result.Succeeded, result.Message);
        await using var db = await Services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync();
        return await db.Users.AsNoTracking().SingleAsync(u => u.Email == Email);
    }

    private async Task UpdateUserAsync(string userId, Action<SecretAdminUser> change)
    {
        await using var db = await Services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync();
        var user = await db.Users.SingleAsync(u => u.Id == userId);
        change(user);
        await db.SaveChangesAsync();
    }
}
