using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Oidc;
using SecretAdmin.Features.Smtp;
using SecretAdmin.Security;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Features.Keys;

/// <summary>While the master key is unavailable every seal and open fails closed, and a save says so on its field, saving nothing.</summary>
public sealed class MasterKeyUnavailableTests : IAsyncLifetime
{
    private const string Unavailable = "the master key is unavailable: the PKCS#11 token 'hsm' does not answer";
    private readonly TempDataDirectory _temp = new();
    private ServiceProvider _services = default!;

    public async Task InitializeAsync()
    {
        _services = TestServices.Build(_temp);
        var smtp = _services.GetRequiredService<SmtpSettingsService>();
        Assert.True((await smtp.SaveAsync(AuditActor.Cli, Form("first-password"), 0)).Succeeded);
        _services.GetRequiredService<SecretSealer>().Suspend(Unavailable);
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        _temp.Dispose();
    }

    private static SmtpSettingsForm Form(string? password) => new()
    {
        Host = "smtp.example.test",
        Port = 587,
        Security = SmtpSecurity.StartTls,
        Username = "mailer",
        NewPassword = password,
        FromAddress = "no-reply@example.test",
    };

    [Fact]
    public async Task SaveSmtpWithANewPassword_MasterKeyUnavailable_RefusedOnThePasswordFieldAndNothingSaved()
    {
        var smtp = _services.GetRequiredService<SmtpSettingsService>();

        var result = await smtp.SaveAsync(AuditActor.Cli, Form("second-password"), 1);

        Assert.False(result.Succeeded);
        var message = Assert.Single(result.Errors[nameof(SmtpSettingsForm.NewPassword)]);
        Assert.Contains("The master key is unavailable", message, StringComparison.Ordinal);
        Assert.DoesNotContain("second-password", message, StringComparison.Ordinal);
        Assert.Equal(1, (await smtp.GetAsync()).Version);
    }

    [Fact]
    public async Task SaveOidcWithANewClientSecret_MasterKeyUnavailable_RefusedOnItsField()
    {
        var result = await _services.GetRequiredService<OidcSettingsService>().SaveAsync(AuditActor.Cli, new OidcSettingsForm { ClientId = "app", NewClientSecret = "client-secret-9" }, 0);

        Assert.False(result.Succeeded);
        Assert.Contains("The master key is unavailable", Assert.Single(result.Errors[nameof(OidcSettingsForm.NewClientSecret)]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StoredSecret_MasterKeyUnavailable_IsUnreadableSayingWhyAndASealThrows()
    {
        var view = await _services.GetRequiredService<SmtpSettingsService>().GetAsync();

        var unreadable = Assert.IsType<SecretStatus.Unreadable>(view.Password);
        Assert.Equal(UnreadableReason.MasterKeyUnavailable, unreadable.Reason);
        Assert.Throws<MasterKeyUnavailableException>(() => _services.GetRequiredService<SecretSealer>().Seal("x", new SealedPlace("t", "c", "1")));
    }
}
