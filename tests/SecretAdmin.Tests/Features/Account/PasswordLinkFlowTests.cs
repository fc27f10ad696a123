using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using SecretAdmin.Data;
using SecretAdmin.Features.Account;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Mail;
using SecretAdmin.Features.Mfa;
using SecretAdmin.Features.Smtp;
using SecretAdmin.Features.Users;
using SecretAdmin.Tests.Features.Mfa;
using SecretAdmin.Tests.Support;
using SecretAdmin.Tests.Support.Peers;

namespace SecretAdmin.Tests.Features.Account;

/// <summary>
/// Invitations and password resets through the real forms, the real outbox and the real SMTP peer:
/// the link is read from the mail the peer received, as a person would click it.
/// </summary>
public sealed partial class PasswordLinkFlowTests : IAsyncLifetime
{
    private const string PublicUrl = "http://localhost";
    private const string NewPassword = "Brand-New-Password-77";

    private readonly TempDataDirectory _temp = new();
    private SecretAdminAppFactory _factory = default!;
    private WebApplicationFactory<Program> _app = default!;
    private SmtpPeer _mail = default!;

    public async Task InitializeAsync()
    {
        _mail = await SmtpPeer.StartAsync();
        _factory = new SecretAdminAppFactory(_temp);
        _app = _factory.WithWebHostBuilder(builder => builder
            .UseSetting("SecretAdmin:PublicUrl", PublicUrl)
            .UseSetting("SecretAdmin:Mail:PollInterval", "00:00:00.200"));
        var smtp = _app.Services.GetRequiredService<SmtpSettingsService>();
        var saved = await smtp.SaveAsync(AuditActor.Cli, new SmtpSettingsForm { Host = SmtpPeer.Host, Port = _mail.Port, Security = SmtpSecurity.None, FromAddress = "no-reply@example.test", TimeoutSeconds = 5 }, 0);
        Assert.True(saved.Succeeded, saved.Message);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _factory.DisposeAsync();
        await _mail.DisposeAsync();
        _temp.Dispose();
    }

    private HttpClient Browser() => _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    private async Task CreateUserAsync(string email)
    {
        var result = await _app.Services.GetRequiredService<UserAdminService>().CreateAsync(AuditActor.Cli, email, WebSession.Password, isAdmin: false);
        Assert.True(result.Succeeded, result.Message);
        await using var scope = _app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<SecretAdminUser>>();
        var user = (await users.FindByEmailAsync(email))!;
        user.MustChangePassword = false;
        await users.UpdateAsync(user);
    }

    /// <summary>The link in the next mail the peer receives, as the recipient reads it; path and query, the host being <see cref="PublicUrl"/>.</summary>
    /// <remarks>Mail without a link (a security notice) is passed over.</remarks>
    private async Task<(string To, string Link)> NextLinkAsync()
    {
        for (var seen = 0; seen < 5; seen++)
        {
            var mail = await _mail.WaitForMailAsync(TimeSpan.FromSeconds(20));
            using var raw = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(mail.Raw));
            var link = LinkInMail().Match((await MimeMessage.LoadAsync(raw)).TextBody ?? string.Empty);
            if (link.Success)
            {
                return (Assert.Single(mail.To), link.Groups["path"].Value);
            }
        }

        throw new Xunit.Sdk.XunitException("None of the next five mails held a link.");
    }

    private static Task<HttpResponseMessage> SetPasswordAsync(HttpClient browser, string link, string password = NewPassword)
    {
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri($"{PublicUrl}{link}").Query);
        return FormPost.SubmitAsync(browser, link, "set-password", new Dictionary<string, string>
        {
            ["user"] = query["user"].ToString(),
            ["token"] = query["token"].ToString(),
            ["Input.NewPassword"] = password,
            ["Input.ConfirmPassword"] = password,
        });
    }

    private static string? PathOf(HttpResponseMessage response) =>
        response.Headers.Location is { } location ? (location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString) : null;

    private async Task<List<OutboxMail>> OutboxAsync()
    {
        await using var db = await _app.Services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync();
        return await db.OutboxMails.AsNoTracking().ToListAsync();
    }

    [Fact]
    public async Task Invite_LinkFromTheMail_SetsThePasswordOnceAndTheUserSignsInWithIt()
    {
        var invited = await _app.Services.GetRequiredService<UserAdminService>().InviteAsync(new AuditActor("admin@example.test", null), "newbie@example.test", isAdmin: false);
        Assert.True(invited.Succeeded, invited.Message);

        var (to, link) = await NextLinkAsync();
        Assert.Equal("newbie@example.test", to);
        Assert.StartsWith("/account/invitation?user=", link, StringComparison.Ordinal);
        var browser = Browser();
        Assert.Contains("Choose your password", await browser.GetStringAsync(link), StringComparison.Ordinal);

        using var set = await SetPasswordAsync(browser, link);
        Assert.Equal("/account/login?notice=password-set", PathOf(set));
        using var signIn = await WebSession.SignInAsync(Browser(), "newbie@example.test", NewPassword);
        Assert.Equal("/", PathOf(signIn));

        Assert.Contains(PasswordLinks.InvalidLinkMessage, await Browser().GetStringAsync(link), StringComparison.Ordinal);
        // Posted anyway, with a form token from another page: the page has no form to take it, and the password stays.
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri($"{PublicUrl}{link}").Query);
        using var again = await FormPost.SubmitAsync(Browser(), "/account/login", "set-password", new Dictionary<string, string>
        {
            ["user"] = query["user"].ToString(),
            ["token"] = query["token"].ToString(),
            ["Input.NewPassword"] = "Another-Password-88",
            ["Input.ConfirmPassword"] = "Another-Password-88",
        }, action: link);
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        using var stillNew = await WebSession.SignInAsync(Browser(), "newbie@example.test", NewPassword);
        Assert.Equal("/", PathOf(stillNew));
        var audit = await _app.Services.GetRequiredService<AuditLog>().SearchAsync(new());
        Assert.Contains(audit.Items, e => e.Action == AuditActions.UserInvited && e.Target == "newbie@example.test");
        Assert.Contains(audit.Items, e => e.Action == AuditActions.InvitationAccepted && e.Actor == "newbie@example.test");
        Assert.DoesNotContain(audit.Items, e => (e.Reason ?? "").Contains("token=", StringComparison.Ordinal));
        var sent = Assert.Single(await OutboxAsync());
        Assert.Equal((OutboxStatus.Sent, false), (sent.Status, sent.SealedBody.IsStored));
    }

    [Fact]
    public async Task Invite_WithoutAPublicUrl_IsRefusedAndCreatesNobody()
    {
        await using var app = _factory.WithWebHostBuilder(_ => { });

        var result = await app.Services.GetRequiredService<UserAdminService>().InviteAsync(AuditActor.Cli, "newbie@example.test", isAdmin: false);

        Assert.False(result.Succeeded);
        Assert.Contains("SecretAdmin:PublicUrl", result.Message, StringComparison.Ordinal);
        Assert.Equal(0, (await app.Services.GetRequiredService<UserAdminService>().SearchAsync(new("newbie"))).TotalCount);
    }

    [Fact]
    public async Task ForgotPassword_KnownAndUnknownAddress_SameAnswerAndOnlyTheAccountGetsOneMail()
    {
        await CreateUserAsync("ada@example.test");
        Assert.Contains("Forgot your password?", await Browser().GetStringAsync("/account/login"), StringComparison.Ordinal);

        var answers = new List<string>();
        foreach (var email in new[] { "nobody@example.test", "ada@example.test", "ada@example.test" })
        {
            using var response = await FormPost.SubmitAsync(Browser(), "/account/forgot-password", "forgot-password", new Dictionary<string, string> { ["Input.Email"] = email });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            answers.Add(SentNotice().Match(await response.Content.ReadAsStringAsync()).Value);
        }

        Assert.Single(answers.Distinct());
        Assert.Contains("If an account exists for that address", answers[0], StringComparison.Ordinal);
        var (to, link) = await NextLinkAsync();
        Assert.Equal(("ada@example.test", true), (to, link.StartsWith("/account/reset-password?user=", StringComparison.Ordinal)));
        Assert.Equal(["ada@example.test"], (await OutboxAsync()).Select(m => m.Recipient));
    }

    [Fact]
    public async Task ResetLink_UserWithAnAuthenticator_SetsThePasswordAndSignInStillAsksForTheCode()
    {
        await CreateUserAsync("ada@example.test");
        await EnrollAuthenticatorAsync("ada@example.test");
        await _app.Services.CreateAsyncScope().ServiceProvider.GetRequiredService<PasswordLinks>().RequestResetAsync("ada@example.test", null);
        var (_, link) = await NextLinkAsync();

        using var set = await SetPasswordAsync(Browser(), link);
        using var signIn = await WebSession.SignInAsync(Browser(), "ada@example.test", NewPassword);

        Assert.Equal("/account/login?notice=password-set", PathOf(set));
        Assert.StartsWith("/account/login-code", PathOf(signIn), StringComparison.Ordinal);
        Assert.Single(await OutboxAsync(), m => m.Kind == "notice.password-changed" && m.Recipient == "ada@example.test");
        using var oldPassword = await WebSession.SignInAsync(Browser(), "ada@example.test");
        Assert.Equal(HttpStatusCode.OK, oldPassword.StatusCode);
    }

    [Fact]
    public async Task ResetLink_LockedOutAccount_SetsThePasswordButStaysLockedUntilTheLockoutEnds()
    {
        await CreateUserAsync("ada@example.test");
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<SecretAdminUser>>();
            await users.SetLockoutEndDateAsync((await users.FindByEmailAsync("ada@example.test"))!, DateTimeOffset.UtcNow.AddMinutes(5));
        }

        await _app.Services.CreateAsyncScope().ServiceProvider.GetRequiredService<PasswordLinks>().RequestResetAsync("ada@example.test", null);
        var (_, link) = await NextLinkAsync();
        using var set = await SetPasswordAsync(Browser(), link);
        using var signIn = await WebSession.SignInAsync(Browser(), "ada@example.test", NewPassword);

        Assert.Equal("/account/login?notice=password-set", PathOf(set));
        Assert.Equal("/account/lockout", PathOf(signIn));
    }

    [Theory]
    [InlineData("/account/reset-password")]
    [InlineData("/account/reset-password?user=x&token=y")]
    [InlineData("/account/invitation?user=x&token=y")]
    public async Task Link_MissingOrMadeUp_SaysItIsNotValidWithoutAForm(string link)
    {
        var page = await Browser().GetStringAsync(link);

        Assert.Contains(PasswordLinks.InvalidLinkMessage, page, StringComparison.Ordinal);
        Assert.DoesNotContain("new-password", page, StringComparison.Ordinal);
    }

    private async Task EnrollAuthenticatorAsync(string email)
    {
        var userId = (await _app.Services.GetRequiredService<UserAdminService>().SearchAsync(new(email))).Items.Single().Id;
        var mfa = _app.Services.GetRequiredService<MfaEnrollmentService>();
        var offer = await mfa.OfferAsync(userId);
        var secret = OtpNet.Base32Encoding.ToBytes(offer.ManualKey.Replace(" ", "", StringComparison.Ordinal));
        var code = TotpVerifierTests.IndependentTotp(secret, (DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 30) - 1, 6, HashAlgorithmName.SHA1);
        Assert.True((await mfa.ConfirmAsync(new AuditActor(email, null), userId, offer, code)).Succeeded);
    }

    [GeneratedRegex(@"http://localhost(?<path>/account/[a-z-]+\?\S+)")]
    private static partial Regex LinkInMail();

    [GeneratedRegex(@"If an account exists for that address[^<]*")]
    private static partial Regex SentNotice();
}
