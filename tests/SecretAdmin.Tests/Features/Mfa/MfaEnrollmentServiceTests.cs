using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using SecretAdmin.Data;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Mfa;
using SecretAdmin.Features.Users;
using SecretAdmin.Security;
using SecretAdmin.Tests.Support;
using SecretAdmin.Features.Mfa.Totp;

namespace SecretAdmin.Tests.Features.Mfa;

public sealed class MfaEnrollmentServiceTests : IAsyncLifetime
{
    private readonly TempDataDirectory _temp = new();

    // A fixed clock in the middle of a time step, so no test crosses a step boundary by chance.
    private readonly ManualTimeProvider _clock = new(DateTimeOffset.FromUnixTimeSeconds(1_800_000_015));
    private ServiceProvider _services = default!;
    private MfaEnrollmentService _mfa = default!;
    private string _userId = "";
    private AuditActor _actor = default!;

    public async Task InitializeAsync()
    {
        _services = TestServices.Build(_temp, _clock);
        _mfa = _services.GetRequiredService<MfaEnrollmentService>();
        var users = _services.GetRequiredService<UserAdminService>();
        Assert.True((await users.CreateAsync(AuditActor.Cli, "ada@example.test", "Correct-Horse-42!", isAdmin: false)).Succeeded);
        _userId = (await users.SearchAsync(new("ada"))).Items.Single().Id;
        _actor = new AuditActor("ada@example.test", "127.0.0.1");
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        _temp.Dispose();
    }

    private string CodeFor(TotpEnrollmentOffer offer, long stepOffset = 0) =>
        TotpVerifierTests.IndependentTotp(
            OtpNet.Base32Encoding.ToBytes(offer.ManualKey.Replace(" ", "", StringComparison.Ordinal)),
            (_clock.GetUtcNow().ToUnixTimeSeconds() / offer.Parameters.PeriodSeconds) + stepOffset,
            offer.Parameters.Digits,
            HashAlgorithmName.SHA1);

    [Fact]
    public async Task Confirm_MasterKeyUnavailable_RefusedSayingSoAndNothingChanged()
    {
        var offer = await _mfa.OfferAsync(_userId);
        _services.GetRequiredService<SecretSealer>().Suspend("the master key is unavailable: test");

        var result = await _mfa.ConfirmAsync(_actor, _userId, offer, CodeFor(offer));

        Assert.False(result.Succeeded);
        Assert.Contains("the server's master key is unavailable", result.Message, StringComparison.Ordinal);
        await using var db = TestDatabase.Open(_temp);
        var user = await db.Users.SingleAsync(u => u.Id == _userId);
        Assert.Equal((false, null), (user.TwoFactorEnabled, user.TotpSecret.Envelope));
    }

    [Fact]
    public async Task Offer_CurrentPolicy_Gives160BitsAndAnOtpAuthUri()
    {
        var offer = await _mfa.OfferAsync(_userId);

        Assert.Equal(32, offer.ManualKey.Replace(" ", "", StringComparison.Ordinal).Length);
        Assert.Matches(@"^otpauth://totp/SecretAdmin:ada%40example\.test\?secret=[A-Z2-7]{32}&issuer=SecretAdmin&algorithm=SHA1&digits=6&period=30$", offer.OtpAuthUri);
        Assert.DoesNotContain(offer.ManualKey.Replace(" ", "", StringComparison.Ordinal), offer.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Confirm_WrongCode_EnablesNothing()
    {
        var offer = await _mfa.OfferAsync(_userId);

        var result = await _mfa.ConfirmAsync(_actor, _userId, offer, "000000");

        Assert.False(result.Succeeded);
        Assert.Equal(TotpCheckOutcome.NotEnrolled, await _mfa.VerifyAsync(_userId, CodeFor(offer)));
    }

    [Fact]
    public async Task Confirm_ValidCode_SealsTheSecretAndIssuesTenRecoveryCodes()
    {
        var offer = await _mfa.OfferAsync(_userId);

        var result = await _mfa.ConfirmAsync(_actor, _userId, offer, CodeFor(offer));

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(10, result.RecoveryCodes.Distinct().Count());
        Assert.All(result.RecoveryCodes, c => Assert.Matches("^[A-Z2-9]{5}-[A-Z2-9]{5}$", c));
        await using var db = await _services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync();
        var user = await db.Users.SingleAsync(u => u.Id == _userId);
        Assert.True(user.TwoFactorEnabled);
        Assert.StartsWith("sa1:1:", user.TotpSecret.Envelope, StringComparison.Ordinal);
        Assert.Equal((6, 30, TotpAlgorithm.Sha1), (user.TotpDigits, user.TotpPeriodSeconds, user.TotpAlgorithm));
        Assert.Contains((await _services.GetRequiredService<AuditLog>().SearchAsync(new(Action: AuditActions.MfaEnrolled))).Items, e => e.Target == "ada@example.test");
    }

    [Fact]
    public async Task Verify_TheConfirmationCodeAgain_IsAReplay()
    {
        var offer = await _mfa.OfferAsync(_userId);
        var code = CodeFor(offer);
        await _mfa.ConfirmAsync(_actor, _userId, offer, code);

        Assert.Equal(TotpCheckOutcome.Replayed, await _mfa.VerifyAsync(_userId, code));
    }

    [Fact]
    public async Task Verify_NextStepsCode_IsAcceptedOnce()
    {
        var offer = await _mfa.OfferAsync(_userId);
        await _mfa.ConfirmAsync(_actor, _userId, offer, CodeFor(offer, -1));
        var next = CodeFor(offer);

        Assert.Equal(TotpCheckOutcome.Accepted, await _mfa.VerifyAsync(_userId, next));
        Assert.Equal(TotpCheckOutcome.Replayed, await _mfa.VerifyAsync(_userId, next));
        Assert.Equal(TotpCheckOutcome.Invalid, await _mfa.VerifyAsync(_userId, "123"));
    }

    [Fact]
    public async Task Verify_CodeTwoStepsOld_IsOutsideTheDefaultWindow()
    {
        var offer = await _mfa.OfferAsync(_userId);
        await _mfa.ConfirmAsync(_actor, _userId, offer, CodeFor(offer, -1));
        _clock.Advance(TimeSpan.FromSeconds(90));

        Assert.Equal(TotpCheckOutcome.Invalid, await _mfa.VerifyAsync(_userId, CodeFor(offer, -2)));
        Assert.Equal(TotpCheckOutcome.Accepted, await _mfa.VerifyAsync(_userId, CodeFor(offer, -1)));
    }

    [Fact]
    public async Task Verify_PolicyChangedAfterEnrollment_StillUsesTheEnrollmentsParameters()
    {
        var offer = await _mfa.OfferAsync(_userId);
        await _mfa.ConfirmAsync(_actor, _userId, offer, CodeFor(offer, -1));
        await _services.GetRequiredService<MfaPolicyService>().SaveAsync(AuditActor.Cli, new MfaPolicyForm { Digits = 8, PeriodSeconds = 60, Algorithm = TotpAlgorithm.Sha512 }, 0);

        Assert.Equal(TotpCheckOutcome.Accepted, await _mfa.VerifyAsync(_userId, CodeFor(offer)));
    }

    [Fact]
    public async Task Verify_SecretUnderAnotherKeyRing_FailsClosedButRecoveryCodesWork()
    {
        var offer = await _mfa.OfferAsync(_userId);
        var result = await _mfa.ConfirmAsync(_actor, _userId, offer, CodeFor(offer, -1));
        _services.GetRequiredService<SecretSealer>().Use(TestSealing.Ring(5));

        Assert.Equal(TotpCheckOutcome.SecretUnreadable, await _mfa.VerifyAsync(_userId, CodeFor(offer)));
        Assert.True(await _mfa.RedeemRecoveryCodeAsync(_actor, _userId, result.RecoveryCodes[0]));
    }

    [Fact]
    public async Task RedeemRecoveryCode_EachWorksOnceAlsoWhenRacing()
    {
        var offer = await _mfa.OfferAsync(_userId);
        var codes = (await _mfa.ConfirmAsync(_actor, _userId, offer, CodeFor(offer))).RecoveryCodes;

        var racing = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Task.Run(() => _mfa.RedeemRecoveryCodeAsync(_actor, _userId, codes[3].ToLowerInvariant()))));

        Assert.Single(racing, used => used);
        Assert.False(await _mfa.RedeemRecoveryCodeAsync(_actor, _userId, codes[3]));
        Assert.False(await _mfa.RedeemRecoveryCodeAsync(_actor, _userId, "AAAAA-AAAAA"));
        Assert.Equal(9, await _mfa.CountUnusedRecoveryCodesAsync(_userId));
    }

    [Fact]
    public async Task Regenerate_OldCodesStopWorking()
    {
        var offer = await _mfa.OfferAsync(_userId);
        var old = (await _mfa.ConfirmAsync(_actor, _userId, offer, CodeFor(offer))).RecoveryCodes;

        var fresh = await _mfa.RegenerateRecoveryCodesAsync(_actor, _userId);

        Assert.False(await _mfa.RedeemRecoveryCodeAsync(_actor, _userId, old[0]));
        Assert.True(await _mfa.RedeemRecoveryCodeAsync(_actor, _userId, fresh[0]));
    }

    [Fact]
    public async Task ResetByAnAdministrator_RemovesTheAuthenticatorAndRecoveryCodes()
    {
        var offer = await _mfa.OfferAsync(_userId);
        await _mfa.ConfirmAsync(_actor, _userId, offer, CodeFor(offer));
        Assert.True((await _mfa.GetStatusAsync(_userId)).Enrolled);

        var result = await _services.GetRequiredService<UserAdminService>().ResetMfaAsync(new AuditActor("admin@example.test", null), _userId);

        Assert.True(result.Succeeded, result.Message);
        Assert.False((await _mfa.GetStatusAsync(_userId)).Enrolled);
        Assert.Equal(0, await _mfa.CountUnusedRecoveryCodesAsync(_userId));
        Assert.Equal(TotpCheckOutcome.NotEnrolled, await _mfa.VerifyAsync(_userId, CodeFor(offer, 1)));
        var entry = Assert.Single((await _services.GetRequiredService<AuditLog>().SearchAsync(new(Action: AuditActions.MfaReset))).Items);
        Assert.Equal(("admin@example.test", "ada@example.test"), (entry.Actor, entry.Target));
    }

    [Fact]
    public async Task Reauthenticate_PasswordOrCurrentCode_IsConfirmed()
    {
        var offer = await _mfa.OfferAsync(_userId);
        await _mfa.ConfirmAsync(_actor, _userId, offer, CodeFor(offer));

        Assert.True((await _mfa.ReauthenticateAsync(_actor, _userId, " Correct-Horse-42! ")).Confirmed);
        Assert.True((await _mfa.ReauthenticateAsync(_actor, _userId, CodeFor(offer, 1))).Confirmed);
    }

    [Fact]
    public async Task Reauthenticate_UsedCode_IsRefusedAndAudited()
    {
        var offer = await _mfa.OfferAsync(_userId);
        await _mfa.ConfirmAsync(_actor, _userId, offer, CodeFor(offer));

        var result = await _mfa.ReauthenticateAsync(_actor, _userId, CodeFor(offer));

        Assert.Equal((false, "That code was already used. Wait for the next code in your app."), (result.Confirmed, result.Message));
        Assert.Single((await _services.GetRequiredService<AuditLog>().SearchAsync(new(Action: AuditActions.MfaCodeReplayed))).Items);
    }

    [Fact]
    public async Task Reauthenticate_WrongAnswers_CountTowardTheLockoutOfThePolicy()
    {
        var result = ReauthenticationResult.Success;
        for (var attempt = 0; attempt < 5; attempt++)
        {
            result = await _mfa.ReauthenticateAsync(_actor, _userId, "not-the-password");
            Assert.Equal("That is neither your password nor a current code from your app.", result.Message);
        }

        result = await _mfa.ReauthenticateAsync(_actor, _userId, "Correct-Horse-42!");

        Assert.False(result.Confirmed);
        Assert.StartsWith("Too many failed attempts.", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reauthenticate_Nothing_AsksForThePasswordOrACode()
    {
        var result = await _mfa.ReauthenticateAsync(_actor, _userId, "  ");

        Assert.Equal((false, "Enter your password or the code your app shows now."), (result.Confirmed, result.Message));
    }

    [Fact]
    public async Task Disable_NotRequired_RemovesTheAuthenticatorAndRecoveryCodesAndAudits()
    {
        var offer = await _mfa.OfferAsync(_userId);
        var codes = (await _mfa.ConfirmAsync(_actor, _userId, offer, CodeFor(offer))).RecoveryCodes;

        var result = await _mfa.DisableAsync(_actor, _userId);

        Assert.True(result.Succeeded, result.Message);
        Assert.False((await _mfa.GetStatusAsync(_userId)).Enrolled);
        Assert.False(await _mfa.RedeemRecoveryCodeAsync(_actor, _userId, codes[0]));
        var entry = Assert.Single((await _services.GetRequiredService<AuditLog>().SearchAsync(new(Action: AuditActions.MfaDisabled))).Items);
        Assert.Equal(("ada@example.test", "Authenticator,RecoveryCodes"), (entry.Target, entry.ChangedFields));
    }

    [Fact]
    public async Task Disable_RequiredForEveryone_IsRefusedAndKeepsTheAuthenticator()
    {
        var offer = await _mfa.OfferAsync(_userId);
        await _mfa.ConfirmAsync(_actor, _userId, offer, CodeFor(offer));
        var policy = _services.GetRequiredService<MfaPolicyService>();
        var view = await policy.GetAsync();
        var form = MfaPolicyForm.From(view);
        form.RequireForAllUsers = true;
        Assert.True((await policy.SaveAsync(AuditActor.Cli, form, view.Version)).Succeeded);

        var result = await _mfa.DisableAsync(_actor, _userId);

        Assert.False(result.Succeeded);
        Assert.Contains("cannot be turned off", result.Message, StringComparison.Ordinal);
        Assert.True((await _mfa.GetStatusAsync(_userId)).Enrolled);
    }

    [Fact]
    public async Task Reenroll_NewPhoneConfirmed_OldAuthenticatorStopsAndNewOneWorks()
    {
        var old = await _mfa.OfferAsync(_userId);
        await _mfa.ConfirmAsync(_actor, _userId, old, CodeFor(old));
        var fresh = await _mfa.OfferAsync(_userId);

        var result = await _mfa.ConfirmAsync(_actor, _userId, fresh, CodeFor(fresh));

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(TotpCheckOutcome.Invalid, await _mfa.VerifyAsync(_userId, CodeFor(old, 1)));
        Assert.Equal(TotpCheckOutcome.Accepted, await _mfa.VerifyAsync(_userId, CodeFor(fresh, 1)));
    }

    [Fact]
    public async Task GetStatus_Enrolled_GivesParametersAndCodesLeftNeverTheSecret()
    {
        var offer = await _mfa.OfferAsync(_userId);
        var codes = (await _mfa.ConfirmAsync(_actor, _userId, offer, CodeFor(offer))).RecoveryCodes;
        await _mfa.RedeemRecoveryCodeAsync(_actor, _userId, codes[0]);

        var status = await _mfa.GetStatusAsync(_userId);

        Assert.Equal((true, 9, true), (status.Enrolled, status.UnusedRecoveryCodes, status.SecretReadable));
        Assert.Equal(new TotpParameters(6, 30, TotpAlgorithm.Sha1), status.Parameters);
        Assert.DoesNotContain(offer.ManualKey.Replace(" ", "", StringComparison.Ordinal), status.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StoredDatabase_AfterEnrollment_HoldsNeitherTheSecretNorARecoveryCode()
    {
        var offer = await _mfa.OfferAsync(_userId);
        var codes = (await _mfa.ConfirmAsync(_actor, _userId, offer, CodeFor(offer))).RecoveryCodes;
        var secret = offer.ManualKey.Replace(" ", "", StringComparison.Ordinal);

        foreach (var bytes in _temp.StoredBytes())
        {
            var text = Encoding.Latin1.GetString(bytes);
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            Assert.All(codes, code => Assert.DoesNotContain(code.Replace("-", "", StringComparison.Ordinal), text, StringComparison.Ordinal));
        }

        var audit = await _services.GetRequiredService<AuditLog>().SearchAsync(new());
        Assert.DoesNotContain(audit.Items, e => $"{e.Target}{e.ChangedFields}".Contains(secret, StringComparison.Ordinal));
    }
}
