using System.Diagnostics;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Features.Keys;

/// <summary>
/// The executable with its master key on a real SoftHSM2 token: generated there at the first start,
/// rotated there, refused with a wrong PIN, and missed at once when the token goes away under the
/// running web app.
/// </summary>
public sealed class Pkcs11CustodyTests : IDisposable
{
    private const string SmtpPassword = "smtp-pass-under-the-token";
    private readonly TempDataDirectory _temp = new();
    private readonly SoftHsmToken _token = SoftHsmToken.Create();

    public void Dispose() => _temp.Dispose();

    private Dictionary<string, string> Environment(string? pin = null) => new()
    {
        ["SOFTHSM2_CONF"] = SoftHsm.ConfigPath,
        ["SecretAdmin__Sealing__MasterKey__Source"] = "pkcs11",
        ["SecretAdmin__Sealing__MasterKey__Pkcs11__Module"] = SoftHsm.Module,
        ["SecretAdmin__Sealing__MasterKey__Pkcs11__TokenLabel"] = _token.Label,
        ["SecretAdmin__Sealing__MasterKey__Pkcs11__Pin"] = pin ?? _token.Pin,
    };

    private async Task SetSmtpPasswordAsync()
    {
        var set = await AppProcess.RunAsync(_temp, ["settings", "smtp", "set", "--host", "smtp.example.test", "--port", "587", "--username", "mailer", "--password-stdin", "--from", "no-reply@example.test"], Environment(), SmtpPassword);
        Assert.True(set.ExitCode == 0, set.Output + set.Error);
    }

    [Fact]
    public async Task FreshStart_GeneratesTheMasterKeyOnTheTokenThenRotateMasterDestroysTheOld()
    {
        await SetSmtpPasswordAsync();
        var verify = await AppProcess.RunAsync(_temp, ["keys", "verify"], Environment());
        var before = await KeyCustodyFolder.DataKeysAsync(_temp);

        var rotate = await AppProcess.RunAsync(_temp, ["keys", "rotate-master"], Environment());
        var after = await KeyCustodyFolder.DataKeysAsync(_temp);
        var verifyAfter = await AppProcess.RunAsync(_temp, ["keys", "verify"], Environment());

        Assert.True(verify.ExitCode == 0, verify.Output + verify.Error);
        Assert.Matches(@"SmtpSettings\s+Password\s+1\s+opens\s+1", verify.Output);
        Assert.False(File.Exists(_temp.Data.MasterKeyFile), "a master key file was made though the key is on the token");
        var old = Assert.Single(before).MasterKeyId;
        Assert.StartsWith("pkcs11:", old, StringComparison.Ordinal);
        Assert.True(rotate.ExitCode == 0, rotate.Output + rotate.Error);
        var current = Assert.Single(after).MasterKeyId;
        Assert.StartsWith("pkcs11:", current, StringComparison.Ordinal);
        Assert.NotEqual(old, current);
        Assert.True(verifyAfter.ExitCode == 0, verifyAfter.Output + verifyAfter.Error);

        // The old key was destroyed on the token: the database wrapped by it (as a backup would be) opens no more.
        await KeyCustodyFolder.ExecuteAsync(_temp, "UPDATE \"DataKeys\" SET \"Wrapped\" = @w, \"MasterKeyId\" = @m", ("@w", before[0].Wrapped), ("@m", old));
        var oldBackup = await AppProcess.RunAsync(_temp, ["keys", "list"], Environment());
        Assert.Equal(AppProcess.RefusedExitCode, oldBackup.ExitCode);
        Assert.Contains(old, oldBackup.Error, StringComparison.Ordinal);
        foreach (var text in new[] { verify.Output, verify.Error, rotate.Output, rotate.Error, verifyAfter.Output, oldBackup.Error })
        {
            Assert.DoesNotContain(_token.Pin, text, StringComparison.Ordinal);
            Assert.DoesNotContain(SmtpPassword, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Start_WrongPin_RefusesNamingTheTokenNotThePin()
    {
        await SetSmtpPasswordAsync();
        var wrongPin = (_token.Pin[0] == '9' ? "8" : "9") + _token.Pin[1..];

        var list = await AppProcess.RunAsync(_temp, ["keys", "list"], Environment(wrongPin));

        Assert.Equal(AppProcess.RefusedExitCode, list.ExitCode);
        Assert.Contains(_token.Label, list.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(wrongPin, list.Error + list.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(_token.Pin, list.Error + list.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WebApp_TokenRemoved_HealthSaysMasterKeyUnavailableAndSecretsDoNotOpen()
    {
        await SetSmtpPasswordAsync();
        await using var app = await WebAppProcess.StartAsync(_temp, Environment());
        using var client = app.Client();
        using (var healthy = await client.GetAsync("/healthz"))
        {
            Assert.True(healthy.IsSuccessStatusCode, await healthy.Content.ReadAsStringAsync());
        }

        _token.Remove();

        var clock = Stopwatch.StartNew();
        string body;
        System.Net.HttpStatusCode status;
        do
        {
            await Task.Delay(250);
            using var response = await client.GetAsync("/healthz");
            status = response.StatusCode;
            body = await response.Content.ReadAsStringAsync();
        }
        while (status == System.Net.HttpStatusCode.OK && clock.Elapsed < TimeSpan.FromSeconds(15));

        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("master key is unavailable", body, StringComparison.Ordinal);
        Assert.Contains(_token.Label, body, StringComparison.Ordinal);
        Assert.DoesNotContain(_token.Pin, body + app.Log, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the removed token was noticed after {clock.Elapsed}");

        // Pages still answer (nothing throws out of a request); the process keeps serving.
        using var login = await client.GetAsync("/account/login");
        Assert.True(login.StatusCode == System.Net.HttpStatusCode.OK, $"/account/login gave {(int)login.StatusCode} with the token removed. Log:\n{app.Log}");

        // Opening the stored password fails closed: verify reports it unavailable, other commands do not start.
        var verify = await AppProcess.RunAsync(_temp, ["keys", "verify", "--json"], Environment());
        var show = await AppProcess.RunAsync(_temp, ["settings", "show"], Environment());
        Assert.Equal(1, verify.ExitCode);
        Assert.Equal(new Dictionary<string, int> { ["master-key-unavailable"] = 1 }, KeyCustodyFolder.VerifyStates(verify.Output));
        Assert.Equal(AppProcess.RefusedExitCode, show.ExitCode);
        Assert.Contains(_token.Label, show.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(SmtpPassword, verify.Output + verify.Error + show.Output + show.Error, StringComparison.Ordinal);
    }
}
