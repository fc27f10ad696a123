using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Mfa;
using SecretAdmin.Features.Settings;
using SecretAdmin.Tests.Support;
using SecretAdmin.Features.Mfa.Totp;

namespace SecretAdmin.Tests.Features.Mfa;

public sealed class MfaPolicyServiceTests : IDisposable
{
    private static readonly AuditActor Admin = new("admin@example.test", null);
    private readonly TempDataDirectory _temp = new();
    private readonly ServiceProvider _services;
    private readonly MfaPolicyService _mfa;

    public MfaPolicyServiceTests()
    {
        _services = TestServices.Build(_temp);
        _mfa = _services.GetRequiredService<MfaPolicyService>();
    }

    public void Dispose()
    {
        _services.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task Get_NothingSaved_GivesTheDocumentedDefaults()
    {
        var view = await _mfa.GetAsync();

        Assert.Equal((6, 30, TotpAlgorithm.Sha1, 1, 5, 5), (view.Digits, view.PeriodSeconds, view.Algorithm, view.WindowSteps, view.MaxFailedAttempts, view.LockoutMinutes));
        Assert.False(view.RequireTotpAfterSso);
    }

    [Fact]
    public async Task Save_RequireTotpAfterSsoTurnedOn_ReadsBackAndAuditsItsName()
    {
        var form = MfaPolicyForm.From(await _mfa.GetAsync());
        form.RequireTotpAfterSso = true;

        var result = await _mfa.SaveAsync(Admin, form, 0);

        Assert.True(result.Succeeded, result.Message);
        var view = await _mfa.GetAsync();
        Assert.True(view.RequireTotpAfterSso);
        Assert.True(MfaPolicyForm.From(view).RequireTotpAfterSso);
        Assert.Equal((false, false), (view.RequireForAdmins, view.RequireForAllUsers));
        var entry = Assert.Single((await _services.GetRequiredService<AuditLog>().SearchAsync(new())).Items);
        Assert.Equal((AuditActions.MfaPolicyChanged, "RequireTotpAfterSso"), (entry.Action, entry.ChangedFields));
    }

    [Fact]
    public async Task Save_RequireTotpAfterSsoTurnedOff_StoresOff()
    {
        await _mfa.SaveAsync(Admin, new MfaPolicyForm { RequireTotpAfterSso = true }, 0);

        var result = await _mfa.SaveAsync(Admin, new MfaPolicyForm { RequireTotpAfterSso = false }, 1);

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal((false, 2L), ((await _mfa.GetAsync()).RequireTotpAfterSso, (await _mfa.GetAsync()).Version));
    }

    [Theory]
    [InlineData(nameof(MfaPolicyForm.Digits), 7)]
    [InlineData(nameof(MfaPolicyForm.PeriodSeconds), 14)]
    [InlineData(nameof(MfaPolicyForm.PeriodSeconds), 121)]
    [InlineData(nameof(MfaPolicyForm.WindowSteps), 3)]
    [InlineData(nameof(MfaPolicyForm.WindowSteps), -1)]
    [InlineData(nameof(MfaPolicyForm.MaxFailedAttempts), 0)]
    [InlineData(nameof(MfaPolicyForm.LockoutMinutes), 0)]
    [InlineData(nameof(MfaPolicyForm.Issuer), "Acme: Inc")]
    [InlineData(nameof(MfaPolicyForm.Issuer), " ")]
    [InlineData(nameof(MfaPolicyForm.Algorithm), (TotpAlgorithm)9)]
    public async Task Save_InvalidField_SaysWhichAndSavesNothing(string field, object value)
    {
        var form = new MfaPolicyForm();
        typeof(MfaPolicyForm).GetProperty(field)!.SetValue(form, value);

        var result = await _mfa.SaveAsync(Admin, form, 0);

        Assert.Equal(SettingsSaveOutcome.Invalid, result.Outcome);
        Assert.True(result.Errors.ContainsKey(field), result.Message);
        Assert.Equal(0, (await _mfa.GetAsync()).Version);
    }

    [Fact]
    public async Task ApplyLockout_AfterSave_SignInUsesThePolicysValues()
    {
        var form = new MfaPolicyForm { MaxFailedAttempts = 3, LockoutMinutes = 15 };
        Assert.True((await _mfa.SaveAsync(Admin, form, 0)).Succeeded);

        await _mfa.ApplyLockoutAsync();

        var lockout = _services.GetRequiredService<IOptions<IdentityOptions>>().Value.Lockout;
        Assert.Equal(3, lockout.MaxFailedAccessAttempts);
        Assert.Equal(TimeSpan.FromMinutes(15), lockout.DefaultLockoutTimeSpan);
    }

    [Fact]
    public async Task Save_FromAnOlderVersion_IsAConflict()
    {
        await _mfa.SaveAsync(Admin, new MfaPolicyForm { Digits = 8 }, 0);

        var result = await _mfa.SaveAsync(Admin, new MfaPolicyForm { PeriodSeconds = 60 }, 0);

        Assert.Equal(SettingsSaveOutcome.Conflict, result.Outcome);
        Assert.Equal(30, (await _mfa.GetAsync()).PeriodSeconds);
    }
}
