using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using SecretAdmin.Data;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Keys;
using SecretAdmin.Features.Mail;
using SecretAdmin.Features.Mfa;
using SecretAdmin.Features.Users;
using SecretAdmin.Tests.Features.Mfa;
using SecretAdmin.Tests.Support;
using SecretAdmin.Features.Mfa.Totp;

namespace SecretAdmin.Tests.Features.Mail;

/// <summary>
/// Security notices through the real services on a real database: each change queues one notice to
/// whom it concerns in its own transaction, a refused change none, and no notice names a secret.
/// </summary>
public sealed class SecurityNoticesTests : IAsyncLifetime
{
    private const string Password = "Correct-Horse-42!";

    private readonly TempDataDirectory _temp = new();

    // Mid time step, so no code crosses a step boundary by chance.
    private readonly ManualTimeProvider _clock = new(DateTimeOffset.FromUnixTimeSeconds(1_800_000_015));
    private readonly AuditActor _ada = new("ada@example.test", "198.51.100.7");
    private ServiceProvider _services = default!;
    private MfaEnrollmentService _mfa = default!;
    private UserAdminService _users = default!;

    public async Task InitializeAsync()
    {
        _services = TestServices.Build(_temp, _clock);
        _mfa = _services.GetRequiredService<MfaEnrollmentService>();
        _users = _services.GetRequiredService<UserAdminService>();
        await CreateAsync("root@example.test", admin: true);
        await CreateAsync("ada@example.test", admin: false);
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        _temp.Dispose();
    }

    private async Task<string> CreateAsync(string email, bool admin)
    {
        Assert.True((await _users.CreateAsync(AuditActor.Cli, email, Password, admin)).Succeeded);
        return await IdOfAsync(email);
    }

    private async Task<string> IdOfAsync(string email) => (await _users.SearchAsync(new(email))).Items.Single().Id;

    private async Task<List<OutboxMail>> NoticesAsync()
    {
        await using var db = await _services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync();
        var mails = await db.OutboxMails.AsNoTracking().Where(m => m.Kind.StartsWith("notice.")).ToListAsync();
        return [.. mails.OrderBy(m => m.Recipient, StringComparer.Ordinal).ThenBy(m => m.Kind, StringComparer.Ordinal)];
    }

    private async Task<OutboxMail> SingleNoticeAsync(string kind, string recipient)
    {
        var notice = Assert.Single(await NoticesAsync(), m => m.Kind == kind);
        Assert.Equal(recipient, notice.Recipient);
        Assert.False(notice.SealedBody.IsStored);
        Assert.Contains("2027-01-15 08:00 UTC", notice.Body, StringComparison.Ordinal);
        Assert.Contains("contact your administrator", notice.Body, StringComparison.Ordinal);
        return notice;
    }

    private static void AssertNotIn(OutboxMail notice, params string[] secrets)
    {
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, notice.Subject + notice.Body, StringComparison.OrdinalIgnoreCase);
        }
    }

    private static string CodeFor(TotpEnrollmentOffer offer, long stepOffset = 0) =>
        TotpVerifierTests.IndependentTotp(offer.Secret, (1_800_000_015 / offer.Parameters.PeriodSeconds) + stepOffset, offer.Parameters.Digits, HashAlgorithmName.SHA1);

    /// <summary>Enrolls <paramref name="userId"/> with the previous step's code; returns the offer, that code and the recovery codes.</summary>
    private async Task<(TotpEnrollmentOffer Offer, string Code, IReadOnlyList<string> RecoveryCodes)> EnrollAsync(string userId, AuditActor actor)
    {
        var offer = await _mfa.OfferAsync(userId);
        var code = CodeFor(offer, -1);
        var result = await _mfa.ConfirmAsync(actor, userId, offer, code);
        Assert.True(result.Succeeded, result.Message);
        return (offer, code, result.RecoveryCodes);
    }

    private async Task ForgetNoticesAsync()
    {
        await using var db = await _services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync();
        await db.OutboxMails.ExecuteDeleteAsync();
    }

    [Fact]
    public async Task Confirm_Enrolled_TellsTheOwnerOnceWithoutTheSecretOrTheRecoveryCodes()
    {
        var (offer, code, recoveryCodes) = await EnrollAsync(await IdOfAsync("ada@example.test"), _ada);

        var notice = await SingleNoticeAsync("notice.mfa-enabled", "ada@example.test");
        Assert.Single(await NoticesAsync());
        AssertNotIn(notice, [offer.ManualKey.Replace(" ", "", StringComparison.Ordinal), code, _ada.ClientIp!, .. recoveryCodes, .. recoveryCodes.Select(c => c.Replace("-", "", StringComparison.Ordinal))]);
    }

    [Fact]
    public async Task Disable_ByTheOwner_TellsTheOwner()
    {
        var ada = await IdOfAsync("ada@example.test");
        await EnrollAsync(ada, _ada);
        await ForgetNoticesAsync();

        Assert.True((await _mfa.DisableAsync(_ada, ada)).Succeeded);

        await SingleNoticeAsync("notice.mfa-disabled", "ada@example.test");
        Assert.Single(await NoticesAsync());
    }

    [Fact]
    public async Task Disable_RefusedByThePolicy_QueuesNothing()
    {
        var ada = await IdOfAsync("ada@example.test");
        await EnrollAsync(ada, _ada);
        await ForgetNoticesAsync();
        var policy = _services.GetRequiredService<MfaPolicyService>();
        var view = await policy.GetAsync();
        var form = MfaPolicyForm.From(view);
        form.RequireForAllUsers = true;
        Assert.True((await policy.SaveAsync(AuditActor.Cli, form, view.Version)).Succeeded);

        Assert.False((await _mfa.DisableAsync(_ada, ada)).Succeeded);

        Assert.Empty(await NoticesAsync());
    }

    [Fact]
    public async Task ResetMfa_ByAnAdministrator_TellsTheUserOnceAndAResetOfNothingTellsNothing()
    {
        var ada = await IdOfAsync("ada@example.test");
        await EnrollAsync(ada, _ada);
        await ForgetNoticesAsync();
        var root = new AuditActor("root@example.test", "203.0.113.9");

        Assert.True((await _users.ResetMfaAsync(root, ada)).Succeeded);
        Assert.True((await _users.ResetMfaAsync(root, ada)).Succeeded);

        var notice = await SingleNoticeAsync("notice.mfa-reset", "ada@example.test");
        Assert.Single(await NoticesAsync());
        AssertNotIn(notice, root.ClientIp!);
    }

    [Fact]
    public async Task RedeemRecoveryCode_Used_TellsTheOwnerOnceWithoutTheCode()
    {
        var ada = await IdOfAsync("ada@example.test");
        var (_, _, recoveryCodes) = await EnrollAsync(ada, _ada);
        await ForgetNoticesAsync();

        Assert.True(await _mfa.RedeemRecoveryCodeAsync(_ada, ada, recoveryCodes[0]));
        Assert.False(await _mfa.RedeemRecoveryCodeAsync(_ada, ada, recoveryCodes[0]));
        Assert.False(await _mfa.RedeemRecoveryCodeAsync(_ada, ada, "AAAAA-AAAAA"));

        var notice = await SingleNoticeAsync("notice.recovery-code-used", "ada@example.test");
        Assert.Single(await NoticesAsync());
        Assert.Contains("9 unused code(s)", notice.Body, StringComparison.Ordinal);
        AssertNotIn(notice, [recoveryCodes[0], recoveryCodes[0].Replace("-", "", StringComparison.Ordinal), _ada.ClientIp!]);
        Assert.Single((await _services.GetRequiredService<AuditLog>().SearchAsync(new(Action: AuditActions.RecoveryCodeUsed))).Items);
    }

    [Fact]
    public async Task RegenerateRecoveryCodes_TellsTheOwnerWithoutTheNewCodes()
    {
        var ada = await IdOfAsync("ada@example.test");
        await EnrollAsync(ada, _ada);
        await ForgetNoticesAsync();

        var codes = await _mfa.RegenerateRecoveryCodesAsync(_ada, ada);

        var notice = await SingleNoticeAsync("notice.recovery-codes-regenerated", "ada@example.test");
        Assert.Single(await NoticesAsync());
        AssertNotIn(notice, [.. codes, .. codes.Select(c => c.Replace("-", "", StringComparison.Ordinal))]);
    }

    [Fact]
    public async Task RegenerateRecoveryCodes_UserWithoutAnEmail_QueuesNothing()
    {
        var ada = await IdOfAsync("ada@example.test");
        await EnrollAsync(ada, _ada);
        await ForgetNoticesAsync();
        await using (var db = await _services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync())
        {
            await db.Users.Where(u => u.Id == ada).ExecuteUpdateAsync(set => set.SetProperty(u => u.Email, (string?)null).SetProperty(u => u.NormalizedEmail, (string?)null));
        }

        Assert.Equal(10, (await _mfa.RegenerateRecoveryCodesAsync(_ada, ada)).Count);

        Assert.Empty(await NoticesAsync());
    }

    [Fact]
    public async Task Reauthenticate_UsedCodeAgain_TellsTheOwnerWithoutTheCode()
    {
        var ada = await IdOfAsync("ada@example.test");
        var (_, code, _) = await EnrollAsync(ada, _ada);
        await ForgetNoticesAsync();

        Assert.False((await _mfa.ReauthenticateAsync(_ada, ada, code)).Confirmed);

        var notice = await SingleNoticeAsync("notice.mfa-code-replayed", "ada@example.test");
        Assert.Single(await NoticesAsync());
        AssertNotIn(notice, code, _ada.ClientIp!);
    }

    [Fact]
    public async Task SignInCheck_UsedCodeAgain_TellsTheOwnerOnce()
    {
        var ada = await IdOfAsync("ada@example.test");
        var (_, code, _) = await EnrollAsync(ada, _ada);
        await ForgetNoticesAsync();
        await using var scope = _services.CreateAsyncScope();
        var manager = scope.ServiceProvider.GetRequiredService<UserManager<SecretAdminUser>>();

        // The check Identity's two-factor sign-in makes, through the sealed authenticator provider.
        Assert.False(await manager.VerifyTwoFactorTokenAsync((await manager.FindByIdAsync(ada))!, TokenOptions.DefaultAuthenticatorProvider, code));

        AssertNotIn(await SingleNoticeAsync("notice.mfa-code-replayed", "ada@example.test"), code);
        Assert.Single(await NoticesAsync());
    }

    [Fact]
    public async Task SetAdmin_GrantedThenRevoked_TellsTheUserEachOnceAndANoChangeNothing()
    {
        var ada = await IdOfAsync("ada@example.test");
        var root = new AuditActor("root@example.test", "203.0.113.9");

        Assert.True((await _users.SetAdminAsync(root, ada, admin: true)).Succeeded);
        Assert.True((await _users.SetAdminAsync(root, ada, admin: true)).Succeeded);
        await SingleNoticeAsync("notice.admin-granted", "ada@example.test");
        Assert.True((await _users.SetAdminAsync(root, ada, admin: false)).Succeeded);

        await SingleNoticeAsync("notice.admin-revoked", "ada@example.test");
        Assert.Equal(2, (await NoticesAsync()).Count);
    }

    [Fact]
    public async Task SetAdmin_RevokingTheLastAdministrator_RefusedAndQueuesNothing()
    {
        var result = await _users.SetAdminAsync(AuditActor.Cli, await IdOfAsync("root@example.test"), admin: false);

        Assert.False(result.Succeeded);
        Assert.Empty(await NoticesAsync());
    }

    /// <summary>Two enabled administrators, a disabled one and a user.</summary>
    private async Task AddAdministratorsAsync()
    {
        await CreateAsync("ops@example.test", admin: true);
        var off = await CreateAsync("off@example.test", admin: true);
        Assert.True((await _users.SetDisabledAsync(AuditActor.Cli, off, disabled: true)).Succeeded);
        await ForgetNoticesAsync();
    }

    private async Task AssertOnePerEnabledAdministratorAsync(string kind)
    {
        var notices = await NoticesAsync();
        Assert.Equal(["ops@example.test", "root@example.test"], notices.Select(n => n.Recipient));
        Assert.All(notices, n => Assert.Equal(kind, n.Kind));
        Assert.All(notices, n => Assert.DoesNotContain("sa1:", n.Body, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Rotate_TellsEachEnabledAdministratorOnce()
    {
        await AddAdministratorsAsync();

        var rotation = await _services.GetRequiredService<KeyCustody>().RotateAsync(AuditActor.Cli);

        await AssertOnePerEnabledAdministratorAsync("notice.key-rotated");
        Assert.All(await NoticesAsync(), n => Assert.Contains($"Data key {rotation.NewKeyId}", n.Body, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reseal_Finished_TellsEachEnabledAdministratorWithTheCounts()
    {
        await EnrollAsync(await IdOfAsync("ada@example.test"), _ada);
        await _services.GetRequiredService<KeyCustody>().RotateAsync(AuditActor.Cli);
        await AddAdministratorsAsync();

        var result = await _services.GetRequiredService<SealedValueService>().ResealAsync(AuditActor.Cli);

        Assert.Equal(1, result.Done);
        await AssertOnePerEnabledAdministratorAsync("notice.reseal-finished");
        Assert.All(await NoticesAsync(), n => Assert.Contains("1 value(s) re-sealed, 0 could not be opened", n.Body, StringComparison.Ordinal));
        Assert.Single((await _services.GetRequiredService<AuditLog>().SearchAsync(new(Action: AuditActions.KeysResealed))).Items);
    }

    [Fact]
    public async Task Reseal_Failed_TellsEachEnabledAdministratorItFailed()
    {
        await EnrollAsync(await IdOfAsync("ada@example.test"), _ada);
        await _services.GetRequiredService<KeyCustody>().RotateAsync(AuditActor.Cli);
        await AddAdministratorsAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            _services.GetRequiredService<SealedValueService>().ResealAsync(AuditActor.Cli, batchSize: 1, progress: new FailingAfterFirstReport()));

        await AssertOnePerEnabledAdministratorAsync("notice.reseal-failed");
        Assert.Empty((await _services.GetRequiredService<AuditLog>().SearchAsync(new(Action: AuditActions.KeysResealed))).Items);
    }

    [Fact]
    public async Task Verify_AValueThatDoesNotOpen_TellsEachEnabledAdministratorAndAllOpenTellsNobody()
    {
        await EnrollAsync(await IdOfAsync("ada@example.test"), _ada);
        await AddAdministratorsAsync();
        var verify = _services.GetRequiredService<SealedValueService>();
        Assert.True((await verify.VerifyAsync(AuditActor.Cli)).AllOpen);
        Assert.Empty(await NoticesAsync());
        await using (var db = await _services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync())
        {
            await db.Database.ExecuteSqlRawAsync("UPDATE \"AspNetUsers\" SET \"TotpSecret\" = replace(\"TotpSecret\", 'sa1:1:', 'sa1:9:') WHERE \"TotpSecret\" IS NOT NULL");
        }

        Assert.False((await verify.VerifyAsync(AuditActor.Cli)).AllOpen);

        await AssertOnePerEnabledAdministratorAsync("notice.secrets-unreadable");
        Assert.All(await NoticesAsync(), n => Assert.Contains("found 1 value(s) that do not open", n.Body, StringComparison.Ordinal));
    }

    /// <summary>A progress listener that fails the run after its first batch, as a fault in the middle of a re-seal would.</summary>
    private sealed class FailingAfterFirstReport : IProgress<SealingProgress>
    {
        private int _reports;

        public void Report(SealingProgress value)
        {
            if (++_reports > 1)
            {
                throw new InvalidOperationException("the run fails here");
            }
        }
    }
}
