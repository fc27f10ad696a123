using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Settings;
using SecretAdmin.Features.Smtp;
using SecretAdmin.Security;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Features.Smtp;

public sealed class SmtpSettingsServiceTests : IDisposable
{
    private const string Password = "smtp-password-0815";
    private static readonly AuditActor Admin = new("admin@example.test", "127.0.0.1");

    private readonly TempDataDirectory _temp = new();
    private readonly ServiceProvider _services;
    private readonly SmtpSettingsService _smtp;

    public SmtpSettingsServiceTests()
    {
        _services = TestServices.Build(_temp);
        _smtp = _services.GetRequiredService<SmtpSettingsService>();
    }

    public void Dispose()
    {
        _services.Dispose();
        _temp.Dispose();
    }

    internal static SmtpSettingsForm ValidForm(string? password = Password, string host = "127.0.0.1", int port = 1) => new()
    {
        Host = host,
        Port = port,
        Security = SmtpSecurity.None,
        Authentication = SmtpAuthentication.Password,
        Username = "mailer",
        NewPassword = password,
        FromAddress = "no-reply@example.test",
        FromName = "SecretAdmin",
        TimeoutSeconds = 5,
    };

    [Fact]
    public async Task Save_Valid_StoresThePasswordSealedAndShowsItsStatus()
    {
        var result = await _smtp.SaveAsync(Admin, ValidForm(), 0);

        Assert.True(result.Succeeded, result.Message);
        var view = await _smtp.GetAsync();
        Assert.Equal("admin@example.test", Assert.IsType<SecretStatus.Set>(view.Password).UpdatedBy);
        Assert.DoesNotContain(Password, view.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Save_KeepThenClear_KeepsThenRemovesThePassword()
    {
        await _smtp.SaveAsync(Admin, ValidForm(), 0);
        var keep = ValidForm(password: null);
        keep.FromName = "Renamed";
        Assert.True((await _smtp.SaveAsync(Admin, keep, 1)).Succeeded);
        Assert.IsType<SecretStatus.Set>((await _smtp.GetAsync()).Password);

        var clear = ValidForm(password: null);
        clear.ClearPassword = true;
        Assert.Contains("Type the password, or choose another sign-in.", (await _smtp.SaveAsync(Admin, clear, 2)).Errors[nameof(clear.NewPassword)]);
        clear.Authentication = SmtpAuthentication.None;
        Assert.True((await _smtp.SaveAsync(Admin, clear, 2)).Succeeded);

        Assert.IsType<SecretStatus.NotSet>((await _smtp.GetAsync()).Password);
    }

    [Theory]
    [InlineData(nameof(SmtpSettingsForm.Host), "https://smtp.example.test")]
    [InlineData(nameof(SmtpSettingsForm.Host), "")]
    [InlineData(nameof(SmtpSettingsForm.Port), 0)]
    [InlineData(nameof(SmtpSettingsForm.Port), 65536)]
    [InlineData(nameof(SmtpSettingsForm.FromAddress), "not-an-address")]
    [InlineData(nameof(SmtpSettingsForm.TimeoutSeconds), 0)]
    [InlineData(nameof(SmtpSettingsForm.Username), "")]
    public async Task Save_InvalidField_SaysWhichAndSavesNothing(string field, object value)
    {
        var form = ValidForm();
        typeof(SmtpSettingsForm).GetProperty(field)!.SetValue(form, value);

        var result = await _smtp.SaveAsync(Admin, form, 0);

        Assert.Equal(SettingsSaveOutcome.Invalid, result.Outcome);
        Assert.True(result.Errors.ContainsKey(field), $"no message for {field}: {result.Message}");
        Assert.Equal(0, (await _smtp.GetAsync()).Version);
    }

    [Fact]
    public async Task TestMail_OtherServerWithoutATypedPassword_DoesNotUseTheStoredOne()
    {
        await _smtp.SaveAsync(Admin, ValidForm(), 0);
        var elsewhere = ValidForm(password: null, host: "mail.attacker.example");

        var result = await _smtp.SendTestMailAsync(Admin, elsewhere, "ops@example.test");

        Assert.False(result.Succeeded);
        Assert.Contains("stored password is not sent there", result.Errors[nameof(SmtpSettingsForm.NewPassword)][0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("port")]
    [InlineData("security")]
    [InlineData("username")]
    public async Task TestMail_SameHostOtherPortSecurityOrUser_AlsoNeedsTheTypedPassword(string change)
    {
        await _smtp.SaveAsync(Admin, ValidForm(), 0);
        var form = ValidForm(password: null);
        switch (change)
        {
            case "port": form.Port = 2; break;
            case "security": form.Security = SmtpSecurity.StartTls; break;
            default: form.Username = "someone-else"; break;
        }

        var result = await _smtp.SendTestMailAsync(Admin, form, "ops@example.test");

        Assert.Contains(nameof(SmtpSettingsForm.NewPassword), result.Errors.Keys);
    }

    [Fact]
    public async Task TestMail_RefusedConnection_SaysSoWithoutThePassword()
    {
        await _smtp.SaveAsync(Admin, ValidForm(), 0);

        var result = await _smtp.SendTestMailAsync(Admin, ValidForm(password: null), "ops@example.test");

        Assert.False(result.Succeeded);
        Assert.StartsWith("Could not connect to 127.0.0.1:1", result.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, result.Message, StringComparison.Ordinal);
        var audit = (await _services.GetRequiredService<AuditLog>().SearchAsync(new(Action: AuditActions.SmtpTestMailFailed))).Items;
        Assert.Equal("ops@example.test", Assert.Single(audit).Target);
    }

    [Fact]
    public async Task TestMail_UnknownHost_SaysTheHostWasNotFound()
    {
        var result = await _smtp.SendTestMailAsync(Admin, ValidForm(host: "no-such-host.invalid", port: 25), "ops@example.test");

        Assert.False(result.Succeeded);
        Assert.Contains("could not be found", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TestMail_NoRecipient_AsksForOne()
    {
        var result = await _smtp.SendTestMailAsync(Admin, ValidForm(), "not an address");

        Assert.Contains("Recipient", result.Errors.Keys);
    }

    [Fact]
    public async Task TestMail_UnreadableStoredPassword_AsksToTypeIt()
    {
        await _smtp.SaveAsync(Admin, ValidForm(), 0);
        _services.GetRequiredService<SecretAdmin.Security.SecretSealer>().Use(TestSealing.Ring(9));

        var result = await _smtp.SendTestMailAsync(Admin, ValidForm(password: null), "ops@example.test");

        Assert.Contains("cannot be opened", result.Errors[nameof(SmtpSettingsForm.NewPassword)][0], StringComparison.Ordinal);
    }
}
