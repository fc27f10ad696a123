using Microsoft.EntityFrameworkCore;
using SecretAdmin.Data;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Smtp;
using SecretAdmin.Security;
using SecretAdmin.Tests.Support;
using SecretAdmin.Tests.Support.Peers;

namespace SecretAdmin.Tests.Features.Smtp;

/// <summary>
/// The stored SMTP password goes only to the server and account it was saved for: two real SMTP
/// servers on 127.0.0.1, the saved one and another that would take the password if it were sent.
/// </summary>
public sealed class SmtpPasswordDestinationTests : IAsyncLifetime
{
    private const string User = "mailer";
    private const string Password = "smtp-destination-password-47";
    private static readonly AuditActor Admin = new("admin@example.test", null);

    private readonly TempDataDirectory _temp = new();
    private ServiceProvider _services = default!;
    private SmtpSettingsService _smtp = default!;
    private SmtpPeer _saved = default!;
    private SmtpPeer _other = default!;

    public async Task InitializeAsync()
    {
        _services = TestServices.Build(_temp);
        _smtp = _services.GetRequiredService<SmtpSettingsService>();
        _saved = await SmtpPeer.StartAsync(User, Password);
        _other = await SmtpPeer.StartAsync(User, "the other server accepts nothing");
        Assert.True((await _smtp.SaveAsync(Admin, Form(_saved.Port, password: Password), 0)).Succeeded);
    }

    public async Task DisposeAsync()
    {
        await _saved.DisposeAsync();
        await _other.DisposeAsync();
        await _services.DisposeAsync();
        _temp.Dispose();
    }

    private static SmtpSettingsForm Form(int port, string? password = null, string host = SmtpPeer.Host, string? username = User, SmtpSecurity security = SmtpSecurity.None) => new()
    {
        Host = host,
        Port = port,
        Security = security,
        Authentication = username is null ? SmtpAuthentication.None : SmtpAuthentication.Password,
        Username = username,
        NewPassword = password,
        FromAddress = "no-reply@example.test",
        TimeoutSeconds = 10,
    };

    [Fact]
    public async Task Save_PortChangedKeepingThePassword_IsRefusedOnThePasswordAndNothingIsSaved()
    {
        var result = await _smtp.SaveAsync(Admin, Form(_other.Port), 1);

        Assert.False(result.Succeeded);
        Assert.Equal([SmtpSettingsService.ServerChangedMessage], result.Errors[nameof(SmtpSettingsForm.NewPassword)]);
        var view = await _smtp.GetAsync();
        Assert.Equal((_saved.Port, 1L), (view.Port, view.Version));
        Assert.IsType<SecretStatus.Set>(view.Password);
    }

    [Theory]
    [InlineData("host")]
    [InlineData("username")]
    [InlineData("security")]
    public async Task Save_OtherBoundFieldChangedKeepingThePassword_IsRefused(string field)
    {
        var form = field switch
        {
            "host" => Form(_saved.Port, host: "localhost"),
            "username" => Form(_saved.Port, username: "someone-else"),
            _ => Form(_saved.Port, security: SmtpSecurity.StartTls),
        };

        var result = await _smtp.SaveAsync(Admin, form, 1);

        Assert.Equal([SmtpSettingsService.ServerChangedMessage], result.Errors[nameof(SmtpSettingsForm.NewPassword)]);
    }

    [Fact]
    public async Task Save_HostInOtherCaseWithTrailingDot_KeepsThePassword()
    {
        var anotherHost = Form(_saved.Port, host: "127.0.0.1.");
        var first = await _smtp.SaveAsync(Admin, Form(_saved.Port, host: "Mail.Example.Test", password: Password), 1);
        Assert.True(first.Succeeded, first.Message);

        var result = await _smtp.SaveAsync(Admin, Form(_saved.Port, host: "mail.example.test."), 2);

        Assert.True(result.Succeeded, result.Message);
        Assert.IsType<SecretStatus.Set>((await _smtp.GetAsync()).Password);
        Assert.False((await _smtp.SaveAsync(Admin, anotherHost, 3)).Succeeded);
    }

    [Fact]
    public async Task Save_PortChangedWithThePasswordTypedAgain_IsSavedAndBoundToTheNewServer()
    {
        var result = await _smtp.SaveAsync(Admin, Form(_other.Port, password: "typed-again"), 1);

        Assert.True(result.Succeeded, result.Message);
        var view = await _smtp.GetAsync();
        Assert.Equal(SmtpServer.DestinationOf(SmtpPeer.Host, _other.Port, SmtpSecurity.None, User), Assert.IsType<SecretStatus.Set>(view.Password).BoundTo);
    }

    [Fact]
    public async Task Save_PortChangedClearingThePassword_IsSaved()
    {
        var form = Form(_other.Port);
        form.ClearPassword = true;
        form.Authentication = SmtpAuthentication.None;

        var result = await _smtp.SaveAsync(Admin, form, 1);

        Assert.True(result.Succeeded, result.Message);
        Assert.IsType<SecretStatus.NotSet>((await _smtp.GetAsync()).Password);
    }

    [Fact]
    public async Task TestMail_FormPointsAtAnotherServer_ThatServerSeesNoAuthentication()
    {
        var result = await _smtp.SendTestMailAsync(Admin, Form(_other.Port), "ops@example.test");

        Assert.False(result.Succeeded);
        Assert.Contains(nameof(SmtpSettingsForm.NewPassword), result.Errors.Keys);
        await AssertNoAuthenticationAsync(_other);
    }

    [Theory]
    [InlineData("Port")]
    [InlineData("Host")]
    [InlineData("Username")]
    [InlineData("Security")]
    public async Task TestMail_BoundFieldEditedInTheDatabase_PasswordIsUnreadableAndNoServerSeesIt(string column)
    {
        // As someone with write access to the database (an injection, a restored backup) would:
        // point the stored settings elsewhere, leaving the sealed password as it is.
        await EditInDatabaseAsync(column switch
        {
            "Port" => $"UPDATE \"SmtpSettings\" SET \"Port\" = {_other.Port}",
            "Host" => "UPDATE \"SmtpSettings\" SET \"Host\" = 'localhost'",
            "Username" => "UPDATE \"SmtpSettings\" SET \"Username\" = 'harvest'",
            _ => "UPDATE \"SmtpSettings\" SET \"Security\" = 'StartTls'",
        });

        var view = await _smtp.GetAsync();
        var result = await _smtp.SendTestMailAsync(Admin, SmtpSettingsForm.From(view), "ops@example.test");

        Assert.Equal(UnreadableReason.DestinationChanged, Assert.IsType<SecretStatus.Unreadable>(view.Password).Reason);
        Assert.False(result.Succeeded);
        await AssertNoAuthenticationAsync(_other);
        await AssertNoAuthenticationAsync(_saved);
    }

    [Fact]
    public async Task TestMail_DestinationAndItsRecordEditedInTheDatabase_PasswordDoesNotAuthenticateAndNoServerSeesIt()
    {
        var pointedElsewhere = SmtpServer.DestinationOf(SmtpPeer.Host, _other.Port, SmtpSecurity.None, User);
        await EditInDatabaseAsync($"UPDATE \"SmtpSettings\" SET \"Port\" = {_other.Port}, \"PasswordDestination\" = '{pointedElsewhere}'");

        var view = await _smtp.GetAsync();
        var result = await _smtp.SendTestMailAsync(Admin, SmtpSettingsForm.From(view), "ops@example.test");

        Assert.Equal(UnreadableReason.AuthenticationFailed, Assert.IsType<SecretStatus.Unreadable>(view.Password).Reason);
        Assert.False(result.Succeeded);
        await AssertNoAuthenticationAsync(_other);
    }

    [Fact]
    public async Task TestMail_SavedServer_StillAuthenticatesWithTheStoredPassword()
    {
        var result = await _smtp.SendTestMailAsync(Admin, Form(_saved.Port), "ops@example.test");

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(User, (await _saved.WaitForMailAsync(TimeSpan.FromSeconds(10))).AuthUser);
    }

    private async Task EditInDatabaseAsync(string sql)
    {
        await using var db = await _services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync();
        Assert.Equal(1, await db.Database.ExecuteSqlRawAsync(sql));
    }

    private static async Task AssertNoAuthenticationAsync(SmtpPeer peer)
    {
        // A client that was going to authenticate would have done so well within this time.
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        Assert.Empty(peer.AuthAttempts);
    }
}
