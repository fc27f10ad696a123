using Microsoft.EntityFrameworkCore;
using SecretAdmin.Data;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Oidc;
using SecretAdmin.Features.Settings;
using SecretAdmin.Security;
using SecretAdmin.Tests.Support;
using SecretAdmin.Tests.Support.Peers;

namespace SecretAdmin.Tests.Features.Oidc;

public sealed class OidcSettingsServiceTests : IDisposable
{
    private const string Secret = "oidc-client-secret-4711";
    private static readonly AuditActor Admin = new("admin@example.test", "127.0.0.1");

    private readonly TempDataDirectory _temp = new();
    private readonly ServiceProvider _services;
    private readonly OidcSettingsService _oidc;

    public OidcSettingsServiceTests()
    {
        _services = TestServices.Build(_temp);
        _oidc = _services.GetRequiredService<OidcSettingsService>();
    }

    public void Dispose()
    {
        _services.Dispose();
        _temp.Dispose();
    }

    // Off: turning single sign-on on checks the provider's discovery document, and this authority
    // is not reachable here (the tests that turn it on say so and use a real provider).
    private static OidcSettingsForm ValidForm(string? secret = Secret) => new()
    {
        Enabled = false,
        Authority = "https://login.example.test/realms/main/",
        ClientId = "secretadmin",
        NewClientSecret = secret,
        RoleClaimType = "groups",
        AdminRoleValue = "admins",
        AllowedEmailDomains = "Example.test, corp.example.test",
    };

    [Fact]
    public async Task Get_NothingSaved_GivesDefaultsAndNoSecret()
    {
        var view = await _oidc.GetAsync();

        Assert.False(view.Enabled);
        Assert.Equal("openid profile email", view.Scopes);
        Assert.IsType<SecretStatus.NotSet>(view.ClientSecret);
        Assert.Equal(0, view.Version);
    }

    [Fact]
    public async Task Save_Valid_SealsTheSecretAndGivesOnlyItsStatus()
    {
        var result = await _oidc.SaveAsync(Admin, ValidForm(), expectedVersion: 0);

        Assert.True(result.Succeeded, result.Message);
        var view = await _oidc.GetAsync();
        var set = Assert.IsType<SecretStatus.Set>(view.ClientSecret);
        Assert.Equal("admin@example.test", set.UpdatedBy);
        Assert.Equal("https://login.example.test/realms/main", view.Authority);
        Assert.Equal("example.test, corp.example.test", view.AllowedEmailDomains);
        Assert.DoesNotContain(Secret, view.ToString(), StringComparison.Ordinal);
        Assert.Equal(Secret, Assert.IsType<SecretRead.PresentSecret>(await _oidc.OpenStoredClientSecretAsync()).Value);
        var stored = await StoredClientSecretAsync();
        Assert.StartsWith("sa1:1:", stored, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Save_EmptySecretBox_KeepsTheStoredSecret()
    {
        await _oidc.SaveAsync(Admin, ValidForm(), 0);
        var before = await StoredClientSecretAsync();

        var form = ValidForm(secret: null);
        form.ButtonLabel = "Company sign-in";
        var result = await _oidc.SaveAsync(Admin, form, 1);

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(before, await StoredClientSecretAsync());
        Assert.Equal(Secret, Assert.IsType<SecretRead.PresentSecret>(await _oidc.OpenStoredClientSecretAsync()).Value);
    }

    [Fact]
    public async Task Save_TypedSecret_ReplacesTheStoredOne()
    {
        await _oidc.SaveAsync(Admin, ValidForm(), 0);

        var result = await _oidc.SaveAsync(Admin, ValidForm("a-new-secret"), 1);

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal("a-new-secret", Assert.IsType<SecretRead.PresentSecret>(await _oidc.OpenStoredClientSecretAsync()).Value);
    }

    [Fact]
    public async Task Save_Clear_RemovesTheSecret()
    {
        await _oidc.SaveAsync(Admin, ValidForm(), 0);
        var form = ValidForm(secret: null);
        form.Enabled = false;
        form.ClearClientSecret = true;

        var result = await _oidc.SaveAsync(Admin, form, 1);

        Assert.True(result.Succeeded, result.Message);
        Assert.IsType<SecretRead.UnsetSecret>(await _oidc.OpenStoredClientSecretAsync());
        Assert.Null(await StoredClientSecretAsync());
    }

    [Fact]
    public async Task Save_ClearWhileEnabled_IsRefusedAndKeepsTheSecret()
    {
        await _oidc.SaveAsync(Admin, ValidForm(), 0);
        var form = ValidForm(secret: null);
        form.Enabled = true;
        form.ClearClientSecret = true;

        var result = await _oidc.SaveAsync(Admin, form, 1);

        Assert.Equal(SettingsSaveOutcome.Invalid, result.Outcome);
        Assert.Contains(nameof(OidcSettingsForm.NewClientSecret), result.Errors.Keys);
        Assert.IsType<SecretRead.PresentSecret>(await _oidc.OpenStoredClientSecretAsync());
    }

    [Theory]
    [InlineData("••••••••")]
    [InlineData("•••••••• set on 2026-11-23 12:00 UTC by admin@example.test")]
    [InlineData("   ")]
    public async Task Save_PlaceholderOrBlankAsSecret_IsRefused(string typed)
    {
        var result = await _oidc.SaveAsync(Admin, ValidForm(typed), 0);

        Assert.Equal(SettingsSaveOutcome.Invalid, result.Outcome);
        Assert.Contains(nameof(OidcSettingsForm.NewClientSecret), result.Errors.Keys);
        Assert.IsType<SecretRead.UnsetSecret>(await _oidc.OpenStoredClientSecretAsync());
    }

    [Theory]
    [InlineData(nameof(OidcSettingsForm.Authority), "http://login.example.test")]
    [InlineData(nameof(OidcSettingsForm.Authority), "not a url")]
    [InlineData(nameof(OidcSettingsForm.Authority), "https://login.example.test/?x=1")]
    [InlineData(nameof(OidcSettingsForm.Scopes), "profile email")]
    [InlineData(nameof(OidcSettingsForm.CallbackPath), "signin-oidc")]
    [InlineData(nameof(OidcSettingsForm.AllowedEmailDomains), "example..test")]
    [InlineData(nameof(OidcSettingsForm.ClientId), "has spaces")]
    [InlineData(nameof(OidcSettingsForm.ButtonLabel), "")]
    public async Task Save_InvalidField_SaysWhichAndSavesNothing(string field, string value)
    {
        var form = ValidForm();
        typeof(OidcSettingsForm).GetProperty(field)!.SetValue(form, value);

        var result = await _oidc.SaveAsync(Admin, form, 0);

        Assert.Equal(SettingsSaveOutcome.Invalid, result.Outcome);
        Assert.True(result.Errors.ContainsKey(field), $"no message for {field}: {result.Message}");
        Assert.Equal(0, (await _oidc.GetAsync()).Version);
        Assert.Empty((await _services.GetRequiredService<AuditLog>().SearchAsync(new())).Items);
    }

    [Theory]
    [InlineData("http://localhost:8080/realms/dev")]
    [InlineData("http://127.0.0.1:5556")]
    public async Task Save_HttpAuthorityOnLoopback_IsAllowed(string authority)
    {
        var form = ValidForm();
        form.Authority = authority;

        Assert.True((await _oidc.SaveAsync(Admin, form, 0)).Succeeded);
    }

    [Fact]
    public async Task Save_FromAnOlderVersion_IsRefusedAndOverwritesNothing()
    {
        await _oidc.SaveAsync(Admin, ValidForm(), 0);
        var first = ValidForm(secret: null);
        first.ButtonLabel = "First admin's label";
        Assert.True((await _oidc.SaveAsync(Admin, first, 1)).Succeeded);

        var second = ValidForm("second-admins-secret");
        second.ButtonLabel = "Second admin's label";
        var result = await _oidc.SaveAsync(new AuditActor("other@example.test", null), second, 1);

        Assert.Equal(SettingsSaveOutcome.Conflict, result.Outcome);
        Assert.Equal("First admin's label", (await _oidc.GetAsync()).ButtonLabel);
        Assert.Equal(Secret, Assert.IsType<SecretRead.PresentSecret>(await _oidc.OpenStoredClientSecretAsync()).Value);
    }

    [Fact]
    public async Task Save_TwoAtOnceFromTheSameVersion_OneWinsOneIsTold()
    {
        var results = await Task.WhenAll(
            _oidc.SaveAsync(Admin, ValidForm("secret-one"), 0),
            _oidc.SaveAsync(Admin, ValidForm("secret-two"), 0));

        Assert.Single(results, r => r.Succeeded);
        Assert.Single(results, r => r.Outcome == SettingsSaveOutcome.Conflict);
    }

    [Fact]
    public async Task Save_Changes_AuditsFieldNamesNeverValues()
    {
        await _oidc.SaveAsync(Admin, ValidForm(), 0);

        var entry = Assert.Single((await _services.GetRequiredService<AuditLog>().SearchAsync(new())).Items);

        Assert.Equal(AuditActions.OidcSettingsChanged, entry.Action);
        Assert.Equal("Authority,ClientId,RoleClaimType,AdminRoleValue,AllowedEmailDomains,ClientSecret", entry.ChangedFields);
        Assert.DoesNotContain(Secret, $"{entry.Target}{entry.ChangedFields}{entry.Actor}", StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_NothingSaved_DoesNotLinkByEmail()
    {
        var view = await _oidc.GetAsync();

        Assert.False(view.LinkByVerifiedEmail);
        Assert.False(OidcSettingsForm.From(view).LinkByVerifiedEmail);
    }

    [Fact]
    public async Task Save_LinkByVerifiedEmailTurnedOn_ReadsBackAndAuditsItsName()
    {
        await _oidc.SaveAsync(Admin, ValidForm(), 0);
        var form = OidcSettingsForm.From(await _oidc.GetAsync());
        form.LinkByVerifiedEmail = true;

        var result = await _oidc.SaveAsync(Admin, form, 1);

        Assert.True(result.Succeeded, result.Message);
        var view = await _oidc.GetAsync();
        Assert.True(view.LinkByVerifiedEmail);
        Assert.True(OidcSettingsForm.From(view).LinkByVerifiedEmail);
        Assert.False(view.CreateUnknownUsers);
        var entries = (await _services.GetRequiredService<AuditLog>().SearchAsync(new())).Items;
        Assert.Contains(entries, e => e.Action == AuditActions.OidcSettingsChanged && e.ChangedFields == "LinkByVerifiedEmail");
    }

    [Fact]
    public async Task Save_NothingChanged_WritesNothing()
    {
        await _oidc.SaveAsync(Admin, ValidForm(), 0);

        var result = await _oidc.SaveAsync(Admin, ValidForm(secret: null), 1);

        Assert.True(result.Succeeded);
        Assert.Equal(1, result.Version);
        Assert.Single((await _services.GetRequiredService<AuditLog>().SearchAsync(new())).Items);
    }

    [Fact]
    public async Task Save_Saved_AnnouncesTheChange()
    {
        var announced = new List<SettingsArea>();
        _services.GetRequiredService<SettingsChangeNotifier>().Changed += announced.Add;

        await _oidc.SaveAsync(Admin, ValidForm(), 0);

        Assert.Equal([SettingsArea.Oidc], announced);
    }

    [Fact]
    public async Task Get_SecretSealedWithAnotherKey_IsUnreadableNeverUnset()
    {
        await _oidc.SaveAsync(Admin, ValidForm(), 0);
        _services.GetRequiredService<SecretSealer>().Use(TestSealing.Ring(2));

        var view = await _oidc.GetAsync();

        var unreadable = Assert.IsType<SecretStatus.Unreadable>(view.ClientSecret);
        Assert.Equal(UnreadableReason.UnknownKeyId, unreadable.Reason);
        Assert.IsType<SecretRead.UnreadableSecret>(await _oidc.OpenStoredClientSecretAsync());
    }

    [Fact]
    public async Task Save_EnabledWithUnreadableSecret_AsksForItAgain()
    {
        await _oidc.SaveAsync(Admin, ValidForm(), 0);
        _services.GetRequiredService<SecretSealer>().Use(TestSealing.Ring(2));
        var form = ValidForm(secret: null);
        form.Enabled = true;
        form.ButtonLabel = "Changed";

        var result = await _oidc.SaveAsync(Admin, form, 1);

        Assert.Equal(SettingsSaveOutcome.Invalid, result.Outcome);
        Assert.Contains("cannot be opened", result.Errors[nameof(OidcSettingsForm.NewClientSecret)][0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Save_EnvelopeCopiedFromTheSmtpPassword_DoesNotOpen()
    {
        await _oidc.SaveAsync(Admin, ValidForm(), 0);
        await using (var db = await _services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync())
        {
            var sealer = _services.GetRequiredService<SecretSealer>();
            var smtpEnvelope = sealer.Seal("smtp-password", SealedColumn.For<SecretAdmin.Features.Smtp.SmtpSettings>(db.Model, "Password").At(1));
            await db.Database.ExecuteSqlAsync($"UPDATE \"OidcSettings\" SET \"ClientSecret\" = {smtpEnvelope}");
        }

        var unreadable = Assert.IsType<SecretRead.UnreadableSecret>(await _oidc.OpenStoredClientSecretAsync());

        Assert.Equal(UnreadableReason.AuthenticationFailed, unreadable.Reason);
    }

    [Theory]
    [InlineData("https://evil.example.test/realms/main", "secretadmin")]
    [InlineData("https://login.example.test/realms/other", "secretadmin")]
    [InlineData("https://login.example.test/realms/main", "another-client")]
    public async Task Save_ProviderOrClientChangedKeepingTheSecret_IsRefusedOnTheSecretAndNothingIsSaved(string authority, string clientId)
    {
        await _oidc.SaveAsync(Admin, ValidForm(), 0);
        var form = ValidForm(secret: null);
        form.Authority = authority;
        form.ClientId = clientId;

        var result = await _oidc.SaveAsync(Admin, form, 1);

        Assert.Equal(["The provider or client id changed: type the client secret again, or clear it."], result.Errors[nameof(OidcSettingsForm.NewClientSecret)]);
        var view = await _oidc.GetAsync();
        Assert.Equal(("https://login.example.test/realms/main", "secretadmin", 1L), (view.Authority, view.ClientId, view.Version));
    }

    [Fact]
    public async Task Save_AuthorityChangedWithTheSecretTypedAgain_BindsItToTheNewProvider()
    {
        await _oidc.SaveAsync(Admin, ValidForm(), 0);
        var form = ValidForm(secret: "typed-again");
        form.Authority = "https://login2.example.test";

        var result = await _oidc.SaveAsync(Admin, form, 1);

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal("typed-again", Assert.IsType<SecretRead.PresentSecret>(await _oidc.OpenClientSecretAsync("https://login2.example.test", "secretadmin")).Value);
        Assert.Equal(UnreadableReason.DestinationChanged, Assert.IsType<SecretRead.UnreadableSecret>(await _oidc.OpenClientSecretAsync("https://login.example.test/realms/main", "secretadmin")).Reason);
    }

    [Fact]
    public async Task Save_AuthorityChangedClearingTheSecret_IsSaved()
    {
        await _oidc.SaveAsync(Admin, ValidForm(), 0);
        var form = ValidForm(secret: null);
        form.Enabled = false;
        form.Authority = "https://login2.example.test";
        form.ClearClientSecret = true;

        Assert.True((await _oidc.SaveAsync(Admin, form, 1)).Succeeded);
        Assert.IsType<SecretStatus.NotSet>((await _oidc.GetAsync()).ClientSecret);
    }

    [Theory]
    [InlineData("Authority", "https://evil.example.test")]
    [InlineData("ClientId", "harvest")]
    public async Task Open_BoundFieldEditedInTheDatabase_IsUnreadableForTheNewDestination(string column, string value)
    {
        await _oidc.SaveAsync(Admin, ValidForm(), 0);
        await using (var db = await _services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync())
        {
            var edit = column == "Authority" ? "UPDATE \"OidcSettings\" SET \"Authority\" = {0}, \"Enabled\" = TRUE" : "UPDATE \"OidcSettings\" SET \"ClientId\" = {0}, \"Enabled\" = TRUE";
            Assert.Equal(1, await db.Database.ExecuteSqlRawAsync(edit, value));
        }

        var view = await _oidc.GetAsync();

        Assert.Equal(UnreadableReason.DestinationChanged, Assert.IsType<SecretStatus.Unreadable>(view.ClientSecret).Reason);
        Assert.Equal(UnreadableReason.DestinationChanged, Assert.IsType<SecretRead.UnreadableSecret>(await _oidc.OpenClientSecretAsync(view.Authority!, view.ClientId!)).Reason);
        Assert.False(SecretAdmin.Features.Sso.SsoAvailability.Of(view).Ready);
    }

    [Fact]
    public async Task Get_KeyRingReplacedAfterAStatusWasKept_GivesTheNewRingsAnswer()
    {
        await _oidc.SaveAsync(Admin, ValidForm(), 0);
        Assert.IsType<SecretStatus.Set>((await _oidc.GetAsync()).ClientSecret);

        _services.GetRequiredService<SecretSealer>().Use(TestSealing.Ring(7));

        Assert.Equal(UnreadableReason.UnknownKeyId, Assert.IsType<SecretStatus.Unreadable>((await _oidc.GetAsync()).ClientSecret).Reason);
    }

    [Fact]
    public async Task Get_EnvelopeEditedInTheDatabaseAfterAStatusWasKept_GivesTheEditedEnvelopesAnswer()
    {
        await _oidc.SaveAsync(Admin, ValidForm(), 0);
        Assert.IsType<SecretStatus.Set>((await _oidc.GetAsync()).ClientSecret);
        await using (var db = await _services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync())
        {
            // The version stays as it was: only what is stored changed.
            await db.Database.ExecuteSqlAsync($"UPDATE \"OidcSettings\" SET \"ClientSecret\" = 'sa1:1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'");
        }

        Assert.Equal(UnreadableReason.AuthenticationFailed, Assert.IsType<SecretStatus.Unreadable>((await _oidc.GetAsync()).ClientSecret).Reason);
    }

    [Fact]
    public async Task Save_TurnedOnWithAProviderThatDoesNotAnswer_IsRefusedOnTheAuthorityAndCanBeSavedOff()
    {
        var on = ValidForm();
        on.Enabled = true;

        var refused = await _oidc.SaveAsync(Admin, on, 0);
        var off = await _oidc.SaveAsync(Admin, ValidForm(), 0);

        Assert.Equal(SettingsSaveOutcome.Invalid, refused.Outcome);
        Assert.EndsWith("Single sign-on can be saved switched off until the provider answers as this authority.", Assert.Single(refused.Errors[nameof(OidcSettingsForm.Authority)]), StringComparison.Ordinal);
        Assert.True(off.Succeeded, off.Message);
        Assert.False((await _oidc.GetAsync()).Enabled);
    }

    [Fact]
    public async Task Save_TurnedOnWithARealProvider_IsSaved()
    {
        await using var provider = await OidcPeer.StartAsync(Secret, ["http://localhost/signin-oidc"]);
        var form = ValidForm();
        form.Enabled = true;
        form.Authority = provider.Address;

        var result = await _oidc.SaveAsync(Admin, form, 0);

        Assert.True(result.Succeeded, result.Message);
        Assert.True((await _oidc.GetAsync()).Enabled);
    }

    private async Task<string?> StoredClientSecretAsync()
    {
        await using var db = await _services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync();
        return await db.OidcSettings.Select(s => s.ClientSecret.Envelope).SingleAsync();
    }
}
