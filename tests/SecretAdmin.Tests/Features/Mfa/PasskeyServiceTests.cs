using System.Buffers.Text;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using SecretAdmin.Access;
using SecretAdmin.Data;
using SecretAdmin.Features.Account;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Mfa;
using SecretAdmin.Features.Mfa.Passkeys;
using SecretAdmin.Features.Users;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Features.Mfa;

/// <summary>
/// Passkeys as stored after Identity verified them: the MFA policy's rules for administrators, the
/// limits on names and numbers, removal that the policy may refuse, and the factor-neutral
/// questions the rest of the console asks (which factors, a second step at sign-in, the required
/// step, an administrator's reset). The browser ceremonies are tested end to end in Chromium.
/// </summary>
public sealed class PasskeyServiceTests : IAsyncLifetime
{
    private readonly TempDataDirectory _temp = new();
    private ServiceProvider _services = default!;
    private PasskeyService _passkeys = default!;
    private string _userId = "";
    private string _adminId = "";
    private readonly AuditActor _actor = new("someone@example.test", "127.0.0.1");

    public async Task InitializeAsync()
    {
        _services = TestServices.Build(_temp);
        _passkeys = _services.GetRequiredService<PasskeyService>();
        var users = _services.GetRequiredService<UserAdminService>();
        Assert.True((await users.CreateAsync(AuditActor.Cli, "ada@example.test", "Correct-Horse-42!", isAdmin: false)).Succeeded);
        Assert.True((await users.CreateAsync(AuditActor.Cli, "root@example.test", "Correct-Horse-43!", isAdmin: true)).Succeeded);
        _userId = (await users.SearchAsync(new("ada"))).Items.Single().Id;
        _adminId = (await users.SearchAsync(new("root"))).Items.Single().Id;
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        _temp.Dispose();
    }

    private static UserPasskeyInfo Verified(bool userVerified = true, bool synced = false) => new(
        RandomNumberGenerator.GetBytes(16),
        publicKey: RandomNumberGenerator.GetBytes(77),
        createdAt: DateTimeOffset.UtcNow,
        signCount: 1,
        transports: ["internal"],
        isUserVerified: userVerified,
        isBackupEligible: synced,
        isBackedUp: synced,
        attestationObject: [],
        clientDataJson: []);

    private async Task SetPolicyAsync(Action<MfaPolicyForm> change)
    {
        var policy = _services.GetRequiredService<MfaPolicyService>();
        var view = await policy.GetAsync();
        var form = MfaPolicyForm.From(view);
        change(form);
        Assert.True((await policy.SaveAsync(AuditActor.Cli, form, view.Version)).Succeeded);
    }

    private async Task<SecondFactorSet> FactorsAsync(string userId)
    {
        await using var db = TestDatabase.Open(_temp);
        return await SecondFactors.OfAsync(db, userId);
    }

    private async Task<IReadOnlyList<AuditEntry>> AuditAsync(string action) =>
        (await _services.GetRequiredService<AuditLog>().SearchAsync(new(Action: action))).Items;

    [Fact]
    public async Task Add_VerifiedPasskey_ListedWithItsNameAndASecondStepFromNowOn()
    {
        var result = await _passkeys.AddAsync(_actor, _userId, Verified(), "  Work laptop ");

        Assert.True(result.Succeeded, result.Message);
        var listed = Assert.Single(await _passkeys.ListAsync(_userId));
        Assert.Equal(("Work laptop", false, true, null), (listed.Name, listed.Synced, listed.UserVerified, listed.LastUsedAtUtc));
        Assert.Equal(new SecondFactorSet(false, 1, 0), await FactorsAsync(_userId));
        await using var scope = _services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<SecretAdminUser>>();
        var user = (await users.FindByIdAsync(_userId))!;
        Assert.True(user.TwoFactorEnabled);
        Assert.True(await scope.ServiceProvider.GetRequiredService<SignInManager<SecretAdminUser>>().IsTwoFactorEnabledAsync(user));
        var entry = Assert.Single(await AuditAsync(AuditActions.PasskeyAdded));
        Assert.Equal(("ada@example.test", "Passkey"), (entry.Target, entry.ChangedFields));
    }

    [Fact]
    public async Task Add_WithoutUserVerification_AllowedForAUserRefusedForAnAdministrator()
    {
        Assert.True((await _passkeys.AddAsync(_actor, _userId, Verified(userVerified: false), "Old key")).Succeeded);

        var refused = await _passkeys.AddAsync(_actor, _adminId, Verified(userVerified: false), "Old key");

        Assert.False(refused.Succeeded);
        Assert.Contains("must check who is using it", refused.Message, StringComparison.Ordinal);
        Assert.Empty(await _passkeys.ListAsync(_adminId));
        var entry = Assert.Single(await AuditAsync(AuditActions.PasskeyRefused));
        Assert.Equal("root@example.test", entry.Target);
    }

    [Fact]
    public async Task Add_SyncedPasskeyForAnAdministrator_RefusedOnlyWhenThePolicySays()
    {
        Assert.True((await _passkeys.AddAsync(_actor, _adminId, Verified(synced: true), "Password manager")).Succeeded);
        await SetPolicyAsync(form => form.RefuseSyncedPasskeysForAdmins = true);

        var refused = await _passkeys.AddAsync(_actor, _adminId, Verified(synced: true), "Phone");
        var user = await _passkeys.AddAsync(_actor, _userId, Verified(synced: true), "Phone");

        Assert.Contains("passkeys that sync to other devices", refused.Message, StringComparison.Ordinal);
        Assert.True(user.Succeeded, user.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("Laptop\u0007")]
    [InlineData("A name that goes on far longer than fifty characters do")]
    public async Task Add_NameNotUsable_RefusedAndNothingStored(string name)
    {
        var result = await _passkeys.AddAsync(_actor, _userId, Verified(), name);

        Assert.False(result.Succeeded);
        Assert.Empty(await _passkeys.ListAsync(_userId));
        Assert.NotNull(await _passkeys.WhyCannotAddAsync(_userId, name));
    }

    [Fact]
    public async Task Add_MoreThanTheLimit_Refused()
    {
        for (var i = 0; i < PasskeyService.MaxPasskeys; i++)
        {
            Assert.True((await _passkeys.AddAsync(_actor, _userId, Verified(), $"Key {i}")).Succeeded);
        }

        var result = await _passkeys.AddAsync(_actor, _userId, Verified(), "One more");

        Assert.Contains($"at most {PasskeyService.MaxPasskeys} passkeys", result.Message, StringComparison.Ordinal);
        Assert.Contains("at most", await _passkeys.WhyCannotAddAsync(_userId, "One more"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rename_KeepsThePasskeyAndAudits()
    {
        await _passkeys.AddAsync(_actor, _userId, Verified(), "Laptop");
        var id = Assert.Single(await _passkeys.ListAsync(_userId)).Id;

        Assert.True((await _passkeys.RenameAsync(_actor, _userId, id, "Home laptop")).Succeeded);
        Assert.False((await _passkeys.RenameAsync(_actor, _userId, id, "\n")).Succeeded);
        Assert.False((await _passkeys.RenameAsync(_actor, _userId, "not-an-id!", "x")).Succeeded);

        Assert.Equal("Home laptop", Assert.Single(await _passkeys.ListAsync(_userId)).Name);
        Assert.Single(await AuditAsync(AuditActions.PasskeyRenamed));
    }

    [Fact]
    public async Task Remove_LastFactor_SecondStepAndRecoveryCodesGo()
    {
        await _passkeys.AddAsync(_actor, _userId, Verified(), "Laptop");
        await _services.GetRequiredService<MfaEnrollmentService>().RegenerateRecoveryCodesAsync(_actor, _userId);
        var id = Assert.Single(await _passkeys.ListAsync(_userId)).Id;

        var result = await _passkeys.RemoveAsync(_actor, _userId, id);

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(SecondFactorSet.None, await FactorsAsync(_userId));
        await using var db = TestDatabase.Open(_temp);
        Assert.False(await db.Users.Where(u => u.Id == _userId).Select(u => u.TwoFactorEnabled).SingleAsync());
        var entry = Assert.Single(await AuditAsync(AuditActions.PasskeyRemoved));
        Assert.Equal("Passkey,RecoveryCodes", entry.ChangedFields);
    }

    [Fact]
    public async Task Remove_LastPasskeyWhereThePolicyRequiresOne_Refused()
    {
        await SetPolicyAsync(form => form.RequirePasskeyForAdmins = true);
        await _passkeys.AddAsync(_actor, _adminId, Verified(), "Laptop");
        await _passkeys.AddAsync(_actor, _adminId, Verified(), "Key");
        var keys = await _passkeys.ListAsync(_adminId);

        Assert.True((await _passkeys.RemoveAsync(_actor, _adminId, keys[0].Id)).Succeeded);
        var refused = await _passkeys.RemoveAsync(_actor, _adminId, keys[1].Id);

        Assert.Contains("this is your last one", refused.Message, StringComparison.Ordinal);
        Assert.Single(await _passkeys.ListAsync(_adminId));
    }

    [Fact]
    public async Task Remove_LastSecondFactorWhereMfaIsRequired_Refused()
    {
        await SetPolicyAsync(form => form.RequireForAllUsers = true);
        await _passkeys.AddAsync(_actor, _userId, Verified(), "Laptop");
        var id = Assert.Single(await _passkeys.ListAsync(_userId)).Id;

        var refused = await _passkeys.RemoveAsync(_actor, _userId, id);

        Assert.Contains("your last second factor", refused.Message, StringComparison.Ordinal);
        Assert.Equal(1, (await FactorsAsync(_userId)).Passkeys);
    }

    [Fact]
    public async Task ResetByAnAdministrator_RemovesPasskeysToo()
    {
        await _passkeys.AddAsync(_actor, _userId, Verified(), "Laptop");

        var result = await _services.GetRequiredService<UserAdminService>().ResetMfaAsync(new AuditActor("root@example.test", null), _userId);

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(SecondFactorSet.None, await FactorsAsync(_userId));
        Assert.Equal("Authenticator,Passkeys,RecoveryCodes", Assert.Single(await AuditAsync(AuditActions.MfaReset)).ChangedFields);
    }

    [Fact]
    public async Task RequiredStep_PasskeyRequiredForAdministrators_UntilTheyHaveOne()
    {
        var steps = new RequiredAccountSteps(
            _services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>(), _services.GetRequiredService<MfaPolicyService>(), new HttpContextAccessor());
        var admin = new ClaimsPrincipal(new ClaimsIdentity([new(ClaimTypes.NameIdentifier, _adminId), new(ClaimTypes.Role, Roles.Admin)], "test"));
        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, _userId)], "test"));
        Assert.Equal(AccountStep.None, await steps.PendingForAsync(admin));

        await SetPolicyAsync(form => form.RequirePasskeyForAdmins = true);
        Assert.Equal(AccountStep.EnrollPasskey, await steps.PendingForAsync(admin));
        Assert.Equal(AccountStep.None, await steps.PendingForAsync(user));

        await _passkeys.AddAsync(_actor, _adminId, Verified(), "Laptop");
        Assert.Equal(AccountStep.None, await steps.PendingForAsync(admin));

        await SetPolicyAsync(form => form.RequireForAllUsers = true);
        Assert.Equal(AccountStep.EnrollMfa, await steps.PendingForAsync(user));
    }

    [Fact]
    public async Task PasskeyIds_AreBase64Url_AndTheListShowsNoKey()
    {
        var passkey = Verified();
        await _passkeys.AddAsync(_actor, _userId, passkey, "Laptop");

        var listed = Assert.Single(await _passkeys.ListAsync(_userId));

        Assert.Equal(Base64Url.EncodeToString(passkey.CredentialId), listed.Id);
        Assert.DoesNotContain(Convert.ToBase64String(passkey.PublicKey), listed.ToString(), StringComparison.Ordinal);
    }
}
