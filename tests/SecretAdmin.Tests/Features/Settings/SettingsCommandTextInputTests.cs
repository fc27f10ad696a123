using System.Text.Json;
using SecretAdmin.Features.Mfa;
using SecretAdmin.Features.Oidc;
using SecretAdmin.Features.Settings;
using SecretAdmin.Features.Smtp;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Features.Settings;

/// <summary>
/// The text rule on the command line of the real executable: a bad value exits 1 naming its
/// option and saves nothing; and whatever a command prints — stored values from an older version,
/// echoed arguments — reaches the terminal with control and bidi characters escaped.
/// </summary>
public sealed class SettingsCommandTextInputTests(SettingsCommandTextInputTests.SharedData shared) : IClassFixture<SettingsCommandTextInputTests.SharedData>, IDisposable
{
    private readonly TempDataDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [MemberData(nameof(BadTextValues.CommandLineNames), MemberType = typeof(BadTextValues))]
    public async Task Set_BadTextValue_ExitsOneNamingTheOptionAndSavesNothing(string name)
    {
        var bad = BadTextValues.Get(name);
        var before = await shared.BaselineAsync();

        var set = await RunSetAsync(shared.Data, bad.Area, bad.Option, bad.Value);

        Assert.True(set.ExitCode == 1, $"exit code {set.ExitCode}; output: {set.Output} {set.Error}");
        Assert.Contains($"{bad.Option}: {bad.Expected}", set.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Saved", set.Output, StringComparison.Ordinal);
        Assert.False(TextInput.HasUnsafe(set.Error.Replace("\n", "", StringComparison.Ordinal)), $"standard error holds a raw control character: {TextInput.Escape(set.Error)}");
        Assert.Equal(before, await shared.ShowJsonAsync());
    }

    [Fact]
    public async Task Set_GoodUnicodeValues_AreSavedAndShownAsTheyAre()
    {
        var oidc = await AppProcess.RunAsync(_temp, ["settings", "oidc", "set", "--button-label", "Zürich Ünïcode 東京", "--callback-path", "/auth/callback"]);
        var smtp = await AppProcess.RunAsync(_temp, ["settings", "smtp", "set", "--host", "smtp.example.test", "--from", "no-reply@example.test", "--from-name", "Zoë 東京"]);

        Assert.True(oidc.ExitCode == 0, oidc.Error);
        Assert.True(smtp.ExitCode == 0, smtp.Error);
        var json = JsonDocument.Parse((await AppProcess.RunAsync(_temp, ["settings", "show", "--json"])).Output).RootElement;
        Assert.Equal("Zürich Ünïcode 東京", json.GetProperty("oidc").GetProperty("buttonLabel").GetString());
        Assert.Equal("/auth/callback", json.GetProperty("oidc").GetProperty("callbackPath").GetString());
        Assert.Equal("Zoë 東京", json.GetProperty("smtp").GetProperty("fromName").GetString());
        var text = (await AppProcess.RunAsync(_temp, ["settings", "show"])).Output;
        Assert.Matches(@"(?m)^  button label +Zürich Ünïcode 東京\r?$", text);
    }

    [Fact]
    public async Task Show_ValuesStoredByAnOlderVersion_PrintsThemEscapedInTextAndJson()
    {
        StoreBadValues(_temp);

        var text = await AppProcess.RunAsync(_temp, ["settings", "show"]);
        var json = await AppProcess.RunAsync(_temp, ["settings", "show", "--json"]);

        Assert.True(text.ExitCode == 0, text.Error);
        Assert.False(TextInput.HasUnsafe(text.Output.Replace("\n", "", StringComparison.Ordinal)), $"settings show printed a raw control character: {TextInput.Escape(text.Output)}");
        Assert.Matches(@"(?m)^  button label +Sign in\\u001B\[2J\\u001B\]0;owned\\u0007\r?$", text.Output);
        Assert.Matches(@"(?m)^  authority +https://login\.example\.test/\\u202Eevil\r?$", text.Output);
        Assert.Matches(@"(?m)^  from name +Name\\r\\nBcc: victim@evil\.example\r?$", text.Output);
        Assert.Matches($@"(?m)^  username +user\\u{StoredC0Code}\\u0085\r?$", text.Output);
        Assert.Matches(@"(?m)^  issuer +Contoso\\u200F\\u2066\r?$", text.Output);
        Assert.DoesNotMatch(@"(?m)^Bcc:", text.Output);

        Assert.True(json.ExitCode == 0, json.Error);
        Assert.False(TextInput.HasUnsafe(json.Output.Replace("\n", "", StringComparison.Ordinal)), $"settings show --json printed a raw control character: {TextInput.Escape(json.Output)}");
        Assert.Contains(@"\u202E", json.Output, StringComparison.Ordinal);
        Assert.Contains($@"\u{StoredC0Code}", json.Output, StringComparison.Ordinal);
        var root = JsonDocument.Parse(json.Output).RootElement;
        Assert.Equal("Sign in\u001B[2J\u001B]0;owned\u0007", root.GetProperty("oidc").GetProperty("buttonLabel").GetString());
        Assert.Equal("Name\r\nBcc: victim@evil.example", root.GetProperty("smtp").GetProperty("fromName").GetString());
    }

    [Fact]
    public async Task Set_OtherFieldWhileAStoredValueBreaksTheRule_ExitsOneNamingTheStoredValuesOption()
    {
        StoreBadValues(_temp);

        var set = await AppProcess.RunAsync(_temp, ["settings", "mfa", "set", "--digits", "8"]);

        Assert.Equal(1, set.ExitCode);
        Assert.Contains($"--issuer: Issuer {BadTextValues.ControlMessage}; it contains U+200F.", set.Error, StringComparison.Ordinal);
        var fixedIssuer = await AppProcess.RunAsync(_temp, ["settings", "mfa", "set", "--digits", "8", "--issuer", "Contoso"]);
        Assert.True(fixedIssuer.ExitCode == 0, fixedIssuer.Error);
    }

    [Fact]
    public async Task AnyCommand_ArgumentItEchoes_IsPrintedEscaped()
    {
        var run = await AppProcess.RunAsync(_temp, ["settings", "oidc", "set", "\u001B]0;owned\u0007\u001B[2J"]);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains(@"\u001B]0;owned\u0007\u001B[2J", run.Error, StringComparison.Ordinal);
        Assert.False(TextInput.HasUnsafe((run.Output + run.Error).Replace("\n", "", StringComparison.Ordinal)), TextInput.Escape(run.Error));
    }

    /// <summary>Runs <c>settings &lt;area&gt; set &lt;option&gt; &lt;value&gt;</c>; a value with NUL, which no argument can carry, goes through a response file (<c>@file</c>).</summary>
    private static Task<AppProcess.Result> RunSetAsync(TempDataDirectory data, string area, string option, string value)
    {
        if (!value.Contains('\0', StringComparison.Ordinal))
        {
            return AppProcess.RunAsync(data, ["settings", area, "set", option, value]);
        }

        Directory.CreateDirectory(data.Path);
        var file = Path.Combine(data.Path, "arguments.rsp");
        File.WriteAllText(file, string.Join('\n', "settings", area, "set", option, value) + "\n");
        return AppProcess.RunAsync(data, ["@" + file]);
    }

    /// <summary>
    /// The C0 control stored in a username: NUL on SQLite; PostgreSQL's text cannot hold NUL at all,
    /// so start of heading stands in for it there.
    /// </summary>
    private static string StoredC0Code => TestPostgres.IsActive ? "0001" : "0000";

    /// <summary>Settings rows as an older version could have saved them, written straight to the database.</summary>
    internal static void StoreBadValues(TempDataDirectory data)
    {
        using var db = TestDatabase.Open(data);
        db.OidcSettings.Add(new OidcSettings { ButtonLabel = "Sign in\u001B[2J\u001B]0;owned\u0007", Authority = "https://login.example.test/\u202Eevil", Version = 1 });
        db.SmtpSettings.Add(new SmtpSettings { Host = "smtp.example.test", Username = $"user{(char)Convert.ToInt32(StoredC0Code, 16)}\u0085", FromAddress = "no-reply@example.test", FromName = "Name\r\nBcc: victim@evil.example", Version = 1 });
        db.MfaPolicy.Add(new MfaPolicy { Issuer = "Contoso\u200F\u2066", Version = 1 });
        db.SaveChanges();
    }

    /// <summary>One data folder for the bad-value cases: none of them may change it, so each compares with the same settings.</summary>
    public sealed class SharedData : IDisposable
    {
        private readonly TempDataDirectory _temp = new();
        private string? _baseline;

        public TempDataDirectory Data => _temp;

        /// <summary>The settings every case starts from, saved and shown once.</summary>
        public async Task<string> BaselineAsync()
        {
            if (_baseline is null)
            {
                var oidc = await AppProcess.RunAsync(_temp, ["settings", "oidc", "set", "--authority", "https://login.example.test", "--client-id", "app", "--role-claim-type", "groups"]);
                var smtp = await AppProcess.RunAsync(_temp, ["settings", "smtp", "set", "--host", "smtp.example.test", "--username", "mailer", "--from", "no-reply@example.test", "--from-name", "SecretAdmin"]);
                Assert.True(oidc.ExitCode == 0 && smtp.ExitCode == 0, oidc.Error + smtp.Error);
                _baseline = await ShowJsonAsync();
            }

            return _baseline;
        }

        public async Task<string> ShowJsonAsync()
        {
            var show = await AppProcess.RunAsync(_temp, ["settings", "show", "--json"]);
            Assert.True(show.ExitCode == 0, show.Error);
            return show.Output;
        }

        public void Dispose() => _temp.Dispose();
    }
}
