using Microsoft.AspNetCore.Identity;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Mfa;
using SecretAdmin.Features.Oidc;
using SecretAdmin.Features.Settings;
using SecretAdmin.Features.Smtp;
using SecretAdmin.Features.Users;
using SecretAdmin.Tests.Features.Smtp;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Features.Settings;

/// <summary>
/// The one text rule through the services the settings pages call: every bad value of
/// <see cref="BadTextValues"/> is refused on its field with a message naming it, and nothing is saved;
/// good values, letters of any script included, are saved as typed.
/// </summary>
public sealed class TextInputRuleTests : IDisposable
{
    private static readonly AuditActor Admin = new("admin@example.test", "127.0.0.1");

    private readonly TempDataDirectory _temp = new();
    private readonly ServiceProvider _services;

    public TextInputRuleTests()
    {
        _services = TestServices.Build(_temp);
    }

    public void Dispose()
    {
        _services.Dispose();
        _temp.Dispose();
    }

    [Theory]
    [MemberData(nameof(BadTextValues.Names), MemberType = typeof(BadTextValues))]
    public async Task Save_BadTextValue_IsRefusedOnItsFieldNamingItAndSavesNothing(string name)
    {
        var bad = BadTextValues.Get(name);

        var (result, version) = await SaveAsync(bad.Area, bad.Field, bad.Value);

        Assert.False(result.Succeeded, $"{name} was saved");
        Assert.Equal(SettingsSaveOutcome.Invalid, result.Outcome);
        Assert.True(result.Errors.TryGetValue(bad.Field, out var messages), $"no message on {bad.Field}; messages: {string.Join(" | ", result.Errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"))}");
        Assert.StartsWith(bad.Expected, Assert.Single(messages), StringComparison.Ordinal);
        Assert.DoesNotContain(result.Errors.Values.SelectMany(m => m), m => TextInput.HasUnsafe(m));
        Assert.Equal(0, version);
    }

    [Theory]
    [InlineData("oidc", "ButtonLabel", "Zürich Ünïcode 東京")]
    [InlineData("oidc", "ButtonLabel", "Вход через Contoso — «SSO»")]
    [InlineData("oidc", "ButtonLabel", "تسجيل الدخول")]
    [InlineData("oidc", "CallbackPath", "/auth/callback")]
    [InlineData("oidc", "CallbackPath", "/signin-oidc_2.v1~x")]
    [InlineData("oidc", "RoleClaimType", "urn:zitadel:iam:org:project:roles")]
    [InlineData("smtp", "FromName", "Zoë Ünïcode 東京")]
    [InlineData("smtp", "Username", @"CORP\mailer")]
    [InlineData("smtp", "FromAddress", "no-reply+alerts@example.test")]
    [InlineData("mfa", "Issuer", "Zürich Ünïcode 東京")]
    public async Task Save_GoodTextValue_IsSavedAsTyped(string area, string field, string value)
    {
        var (result, version) = await SaveAsync(area, field, value);

        Assert.True(result.Succeeded, string.Join(" | ", result.Errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")));
        Assert.Equal(1, version);
        Assert.Equal(value, await StoredAsync(area, field));
    }

    [Theory]
    [InlineData("oidc", "ButtonLabel", 100)]
    [InlineData("smtp", "FromName", 200)]
    [InlineData("mfa", "Issuer", 100)]
    public async Task Save_ValueOfExactlyTheBound_IsSaved(string area, string field, int bound)
    {
        var (result, _) = await SaveAsync(area, field, new string('é', bound));

        Assert.True(result.Succeeded, string.Join(" | ", result.Errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")));
    }

    [Theory]
    [InlineData("no-reply@example.test\u0001")]
    [InlineData("you@example.test\r\nBcc: victim@evil.example")]
    [InlineData("Evil <you@example.test>")]
    [InlineData("you(@example.test")]
    public async Task SendTestMail_RecipientBreakingTheRule_IsRefusedBeforeAnythingIsSent(string recipient)
    {
        var smtp = _services.GetRequiredService<SmtpSettingsService>();

        var result = await smtp.SendTestMailAsync(Admin, SmtpSettingsServiceTests.ValidForm(), recipient);

        Assert.False(result.Succeeded);
        Assert.True(result.Errors.ContainsKey("Recipient"), string.Join(" | ", result.Errors.Keys));
        Assert.DoesNotContain(result.Errors.Values.SelectMany(m => m), m => TextInput.HasUnsafe(m));
    }

    [Theory]
    [InlineData("user\u202E@example.test", "U+202E")]
    [InlineData("user@example.test\r\nBcc: victim@evil.example", "U+000D (carriage return)")]
    [InlineData("us\0er@example.test", "U+0000 (NUL)")]
    public async Task CreateUser_EmailBreakingTheRule_IsRefusedOnTheEmailNamingIt(string email, string found)
    {
        var users = _services.GetRequiredService<UserAdminService>();

        var created = await users.CreateAsync(Admin, email, "Temporary-Password-1", isAdmin: false);
        var fromSso = await users.CreateFromSsoAsync(Admin, email, new UserLoginInfo("oidc", "subject-1", "SSO"));

        foreach (var result in new[] { created, fromSso })
        {
            Assert.False(result.Succeeded);
            Assert.Equal($"Email {BadTextValues.ControlMessage}; it contains {found}.", Assert.Single(Assert.Contains("email", result.Errors)));
        }

        Assert.Equal(0, (await users.SearchAsync(new UserQuery())).TotalCount);
    }

    [Fact]
    public void TextInputs_EveryBound_FitsItsColumn()
    {
        using var db = TestDatabase.Open(_temp);
        var forms = new (Type Entity, ITextInputForm Form)[]
        {
            (typeof(OidcSettings), new OidcSettingsForm()),
            (typeof(SmtpSettings), new SmtpSettingsForm()),
            (typeof(MfaPolicy), new MfaPolicyForm()),
        };

        foreach (var (entity, form) in forms)
        {
            foreach (var input in form.TextInputs())
            {
                var column = db.Model.FindEntityType(entity)!.FindProperty(input.Field);
                Assert.True(column is not null, $"{entity.Name} has no column {input.Field}");
                Assert.Equal(column.GetMaxLength(), input.MaxLength);
            }
        }
    }

    private async Task<(SettingsSaveResult Result, long Version)> SaveAsync(string area, string field, string value)
    {
        switch (area)
        {
            case "oidc":
                var oidc = _services.GetRequiredService<OidcSettingsService>();
                var oidcForm = new OidcSettingsForm();
                Set(oidcForm, field, value);
                return (await oidc.SaveAsync(Admin, oidcForm, 0), (await oidc.GetAsync()).Version);
            case "smtp":
                var smtp = _services.GetRequiredService<SmtpSettingsService>();
                var smtpForm = SmtpSettingsServiceTests.ValidForm();
                Set(smtpForm, field, value);
                return (await smtp.SaveAsync(Admin, smtpForm, 0), (await smtp.GetAsync()).Version);
            default:
                var mfa = _services.GetRequiredService<MfaPolicyService>();
                var mfaForm = new MfaPolicyForm();
                Set(mfaForm, field, value);
                return (await mfa.SaveAsync(Admin, mfaForm, 0), (await mfa.GetAsync()).Version);
        }
    }

    private async Task<object?> StoredAsync(string area, string field) => area switch
    {
        "oidc" => Get(await _services.GetRequiredService<OidcSettingsService>().GetAsync(), field),
        "smtp" => Get(await _services.GetRequiredService<SmtpSettingsService>().GetAsync(), field),
        _ => Get(await _services.GetRequiredService<MfaPolicyService>().GetAsync(), field),
    };

    private static void Set(object form, string field, string value) => form.GetType().GetProperty(field)!.SetValue(form, value);

    private static object? Get(object view, string field) => view.GetType().GetProperty(field)!.GetValue(view);
}
