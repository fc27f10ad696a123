using System.Text.Json;
using SecretAdmin.Features.Oidc;
using SecretAdmin.Security;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Features.Settings;

/// <summary>The settings commands of the real executable: same validation and audit as the pages, secrets only from standard input.</summary>
public sealed class SettingsCommandTests : IDisposable
{
    private readonly TempDataDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task SetThenShow_SecretsFromStandardInput_AreSealedAndNeverPrinted()
    {
        const string secret = "cli-client-secret-Qw93";
        var set = await AppProcess.RunAsync(_temp, ["settings", "oidc", "set", "--authority", "https://login.example.test", "--client-id", "app", "--client-secret-stdin"], standardInput: secret + "\n");
        Assert.True(set.ExitCode == 0, set.Error);

        var show = await AppProcess.RunAsync(_temp, ["settings", "show", "--json"]);

        Assert.Equal(0, show.ExitCode);
        var oidc = JsonDocument.Parse(show.Output).RootElement.GetProperty("oidc");
        Assert.Equal("https://login.example.test", oidc.GetProperty("authority").GetString());
        Assert.Equal("set", oidc.GetProperty("clientSecret").GetProperty("state").GetString());
        Assert.Equal("cli", oidc.GetProperty("clientSecret").GetProperty("updatedBy").GetString());
        Assert.DoesNotContain(secret, set.Output + set.Error + show.Output + show.Error, StringComparison.Ordinal);
        var text = await AppProcess.RunAsync(_temp, ["settings", "show"]);
        Assert.Contains("client secret", text.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, text.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("oidc", new byte[0], "standard input was empty")]
    [InlineData("oidc", new byte[] { 0x0A }, "standard input held only a line break")]
    [InlineData("oidc", new byte[] { 0x0D, 0x0A }, "standard input held only a line break")]
    [InlineData("oidc", new byte[] { 0x6E, 0x65, 0x77, 0xFF, 0x0A }, "standard input is not valid UTF-8")]
    [InlineData("oidc", new byte[] { 0x6E, 0x65, 0x77, 0xC3 }, "standard input is not valid UTF-8")]
    [InlineData("oidc", new byte[] { 0x6E, 0x65, 0x77, 0xC0, 0xAF }, "standard input is not valid UTF-8")]
    [InlineData("smtp", new byte[0], "standard input was empty")]
    [InlineData("smtp", new byte[] { 0x0D, 0x0A }, "standard input held only a line break")]
    [InlineData("smtp", new byte[] { 0x6E, 0x65, 0x77, 0xFF }, "standard input is not valid UTF-8")]
    public async Task Set_SecretOnStandardInputEmptyOrNotUtf8_ExitsOneNamingTheOptionAndSavesNothing(string area, byte[] standardInput, string problem)
    {
        await SetAllAsync();
        var before = await ShowJsonAsync();

        var set = area == "oidc"
            ? await AppProcess.RunAsync(_temp, ["settings", "oidc", "set", "--client-id", "changed", "--client-secret-stdin"], standardInput)
            : await AppProcess.RunAsync(_temp, ["settings", "smtp", "set", "--host", "changed.example.test", "--password-stdin"], standardInput);

        var option = area == "oidc" ? "--client-secret-stdin" : "--password-stdin";
        Assert.Equal(1, set.ExitCode);
        Assert.Equal([$"{option}: {problem}"], set.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.DoesNotContain("Saved", set.Output, StringComparison.Ordinal);
        var after = await ShowJsonAsync();
        Assert.Equal(before.GetProperty(area).GetRawText(), after.GetProperty(area).GetRawText());
        Assert.Equal(1, after.GetProperty(area).GetProperty("version").GetInt64());
        Assert.Equal(2, await AuditCountAsync());
    }

    [Fact]
    public async Task Set_SecretOnStandardInputWithAByteOrderMarkAndCrLf_StoresTheSecretWithoutEither()
    {
        const string secret = "bom-client-secret-Zk41";
        byte[] standardInput = [0xEF, 0xBB, 0xBF, .. System.Text.Encoding.UTF8.GetBytes(secret), 0x0D, 0x0A];

        var set = await AppProcess.RunAsync(_temp, ["settings", "oidc", "set", "--client-id", "app", "--client-secret-stdin"], standardInput);

        Assert.True(set.ExitCode == 0, set.Error);
        using var services = TestServices.Build(_temp, ring: StoredKeys.Read(_temp));
        var read = await services.GetRequiredService<OidcSettingsService>().OpenStoredClientSecretAsync();
        Assert.True(read is SecretRead.PresentSecret { Value: secret }, $"the stored client secret is {read}, not the one piped in without its byte order mark and line break");
    }

    [Fact]
    public async Task Set_BadValues_ExitNonZeroWithThePagesMessagesPerOption()
    {
        var oidc = await AppProcess.RunAsync(_temp, ["settings", "oidc", "set", "--authority", "http://login.example.test", "--scopes", "profile"]);
        var smtp = await AppProcess.RunAsync(_temp, ["settings", "smtp", "set", "--host", "smtp.example.test", "--port", "70000", "--from", "nobody"]);
        var mfa = await AppProcess.RunAsync(_temp, ["settings", "mfa", "set", "--digits", "7"]);

        Assert.Equal(1, oidc.ExitCode);
        Assert.Contains("--authority: The authority must use https (http is allowed only for localhost and 127.0.0.1).", oidc.Error, StringComparison.Ordinal);
        Assert.Contains("--scopes: The scopes must include openid.", oidc.Error, StringComparison.Ordinal);
        Assert.Equal(1, smtp.ExitCode);
        Assert.Contains("--port: The port must be between 1 and 65535.", smtp.Error, StringComparison.Ordinal);
        Assert.Contains("--from: Enter the address mail is sent from", smtp.Error, StringComparison.Ordinal);
        Assert.Equal(1, mfa.ExitCode);
        Assert.Contains("--digits: Codes have 6 or 8 digits.", mfa.Error, StringComparison.Ordinal);
        var show = await AppProcess.RunAsync(_temp, ["settings", "show", "--json"]);
        Assert.Equal(0, JsonDocument.Parse(show.Output).RootElement.GetProperty("oidc").GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task Set_SmtpWithPasswordThenMfa_SavesAndAudits()
    {
        var smtp = await AppProcess.RunAsync(_temp, ["settings", "smtp", "set", "--host", "smtp.example.test", "--security", "tls", "--port", "465", "--username", "mailer", "--password-stdin", "--from", "no-reply@example.test"], standardInput: "smtp-pass");
        var mfa = await AppProcess.RunAsync(_temp, ["settings", "mfa", "set", "--digits", "8", "--algorithm", "sha256", "--require-for-admins", "true"]);

        Assert.True(smtp.ExitCode == 0, smtp.Error);
        Assert.True(mfa.ExitCode == 0, mfa.Error);
        var show = JsonDocument.Parse((await AppProcess.RunAsync(_temp, ["settings", "show", "--json"])).Output).RootElement;
        Assert.Equal("TlsOnConnect", show.GetProperty("smtp").GetProperty("security").GetString());
        Assert.Equal(8, show.GetProperty("mfa").GetProperty("digits").GetInt32());
        Assert.True(show.GetProperty("mfa").GetProperty("requireForAdmins").GetBoolean());
        using var services = TestServices.Build(_temp);
        var audit = await services.GetRequiredService<SecretAdmin.Features.Audit.AuditLog>().SearchAsync(new(Actor: "cli"));
        Assert.Contains(audit.Items, e => e.Action == "settings.smtp-changed" && e.ChangedFields!.Contains("Password", StringComparison.Ordinal));
        Assert.Contains(audit.Items, e => e.Action == "settings.mfa-policy-changed" && e.ChangedFields == "Digits,Algorithm,RequireForAdmins");
    }

    [Fact]
    public async Task Set_DestinationChangedKeepingTheStoredSecret_ExitsOneNamingTheSecretOptionAndSavesNothing()
    {
        await AppProcess.RunAsync(_temp, ["settings", "smtp", "set", "--host", "smtp.example.test", "--port", "587", "--username", "mailer", "--password-stdin", "--from", "no-reply@example.test"], standardInput: "smtp-pass");
        await AppProcess.RunAsync(_temp, ["settings", "oidc", "set", "--authority", "https://login.example.test", "--client-id", "app", "--client-secret-stdin"], standardInput: "client-secret");

        var smtp = await AppProcess.RunAsync(_temp, ["settings", "smtp", "set", "--port", "2525"]);
        var oidc = await AppProcess.RunAsync(_temp, ["settings", "oidc", "set", "--authority", "https://evil.example.test"]);
        var retyped = await AppProcess.RunAsync(_temp, ["settings", "smtp", "set", "--port", "2525", "--password-stdin"], standardInput: "smtp-pass-2");

        Assert.Equal(1, smtp.ExitCode);
        Assert.Contains("--password-stdin: The server changed: type the password again, or clear it.", smtp.Error, StringComparison.Ordinal);
        Assert.Equal(1, oidc.ExitCode);
        Assert.Contains("--client-secret-stdin: The provider or client id changed: type the client secret again, or clear it.", oidc.Error, StringComparison.Ordinal);
        Assert.Equal(0, retyped.ExitCode);
        var show = JsonDocument.Parse((await AppProcess.RunAsync(_temp, ["settings", "show", "--json"])).Output).RootElement;
        Assert.Equal("https://login.example.test", show.GetProperty("oidc").GetProperty("authority").GetString());
        Assert.Equal(2525, show.GetProperty("smtp").GetProperty("port").GetInt32());
    }

    [Fact]
    public async Task Set_PasskeyPolicy_SavesShowsAndAudits()
    {
        var mfa = await AppProcess.RunAsync(_temp, ["settings", "mfa", "set", "--require-passkey-for-admins", "true", "--refuse-synced-passkeys-for-admins", "true"]);

        Assert.True(mfa.ExitCode == 0, mfa.Error);
        var show = JsonDocument.Parse((await AppProcess.RunAsync(_temp, ["settings", "show", "--json"])).Output).RootElement.GetProperty("mfa");
        Assert.Equal((true, false, true), (show.GetProperty("requirePasskeyForAdmins").GetBoolean(), show.GetProperty("requirePasskeyForAllUsers").GetBoolean(), show.GetProperty("refuseSyncedPasskeysForAdmins").GetBoolean()));
        var text = (await AppProcess.RunAsync(_temp, ["settings", "show"])).Output;
        Assert.Matches(@"(?m)^  passkey required for admins +True\r?$", text);
        Assert.Matches(@"(?m)^  admins may not sync passkeys +True\r?$", text);
        using var services = TestServices.Build(_temp);
        var audit = await services.GetRequiredService<SecretAdmin.Features.Audit.AuditLog>().SearchAsync(new(Actor: "cli"));
        Assert.Contains(audit.Items, e => e.Action == "settings.mfa-policy-changed" && e.ChangedFields == "RequirePasskeyForAdmins,RefuseSyncedPasskeysForAdmins");
    }

    [Fact]
    public async Task Set_LinkByVerifiedEmailAndRequireTotpAfterSso_SavesShowsAndAudits()
    {
        var oidc = await AppProcess.RunAsync(_temp, ["settings", "oidc", "set", "--link-by-verified-email", "true"]);
        var mfa = await AppProcess.RunAsync(_temp, ["settings", "mfa", "set", "--require-totp-after-sso", "true"]);

        Assert.True(oidc.ExitCode == 0, oidc.Error);
        Assert.True(mfa.ExitCode == 0, mfa.Error);
        var show = JsonDocument.Parse((await AppProcess.RunAsync(_temp, ["settings", "show", "--json"])).Output).RootElement;
        Assert.True(show.GetProperty("oidc").GetProperty("linkByVerifiedEmail").GetBoolean());
        Assert.False(show.GetProperty("oidc").GetProperty("createUnknownUsers").GetBoolean());
        Assert.True(show.GetProperty("mfa").GetProperty("requireTotpAfterSso").GetBoolean());
        var text = (await AppProcess.RunAsync(_temp, ["settings", "show"])).Output;
        Assert.Matches(@"(?m)^  link by verified email +True\r?$", text);
        Assert.Matches(@"(?m)^  code required after SSO +True\r?$", text);
        using var services = TestServices.Build(_temp);
        var audit = await services.GetRequiredService<SecretAdmin.Features.Audit.AuditLog>().SearchAsync(new(Actor: "cli"));
        Assert.Contains(audit.Items, e => e.Action == "settings.oidc-changed" && e.ChangedFields == "LinkByVerifiedEmail");
        Assert.Contains(audit.Items, e => e.Action == "settings.mfa-policy-changed" && e.ChangedFields == "RequireTotpAfterSso");
    }

    [Fact]
    public async Task Set_LinkByVerifiedEmailAndRequireTotpAfterSsoFalse_TurnsThemOffAndKeepsTheRest()
    {
        await AppProcess.RunAsync(_temp, ["settings", "oidc", "set", "--create-unknown-users", "true", "--link-by-verified-email", "true"]);
        await AppProcess.RunAsync(_temp, ["settings", "mfa", "set", "--require-for-admins", "true", "--require-totp-after-sso", "true"]);

        var oidc = await AppProcess.RunAsync(_temp, ["settings", "oidc", "set", "--link-by-verified-email", "false"]);
        var mfa = await AppProcess.RunAsync(_temp, ["settings", "mfa", "set", "--require-totp-after-sso", "false"]);

        Assert.True(oidc.ExitCode == 0, oidc.Error);
        Assert.True(mfa.ExitCode == 0, mfa.Error);
        var show = JsonDocument.Parse((await AppProcess.RunAsync(_temp, ["settings", "show", "--json"])).Output).RootElement;
        Assert.Equal((false, true, 2L), (show.GetProperty("oidc").GetProperty("linkByVerifiedEmail").GetBoolean(), show.GetProperty("oidc").GetProperty("createUnknownUsers").GetBoolean(), show.GetProperty("oidc").GetProperty("version").GetInt64()));
        Assert.Equal((false, true, 2L), (show.GetProperty("mfa").GetProperty("requireTotpAfterSso").GetBoolean(), show.GetProperty("mfa").GetProperty("requireForAdmins").GetBoolean(), show.GetProperty("mfa").GetProperty("version").GetInt64()));
    }

    /// <summary>OIDC and SMTP settings with a secret each: version 1 of both, two audit entries.</summary>
    private async Task SetAllAsync()
    {
        var oidc = await AppProcess.RunAsync(_temp, ["settings", "oidc", "set", "--authority", "https://login.example.test", "--client-id", "app", "--client-secret-stdin"], standardInput: "first-client-secret-Hn27\n");
        var smtp = await AppProcess.RunAsync(_temp, ["settings", "smtp", "set", "--host", "smtp.example.test", "--security", "tls", "--port", "465", "--username", "mailer", "--password-stdin", "--from", "no-reply@example.test"], standardInput: "first-smtp-password-Pq85\n");
        Assert.True(oidc.ExitCode == 0, oidc.Error);
        Assert.True(smtp.ExitCode == 0, smtp.Error);
    }

    private async Task<JsonElement> ShowJsonAsync()
    {
        var show = await AppProcess.RunAsync(_temp, ["settings", "show", "--json"]);
        Assert.True(show.ExitCode == 0, show.Error);
        return JsonDocument.Parse(show.Output).RootElement.Clone();
    }

    private async Task<int> AuditCountAsync()
    {
        using var services = TestServices.Build(_temp);
        return (await services.GetRequiredService<SecretAdmin.Features.Audit.AuditLog>().SearchAsync(new(Actor: "cli"))).TotalCount;
    }
}
