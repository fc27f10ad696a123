using SecretAdmin.Hosting;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Data;

/// <summary>Database settings that cannot work stop the app before anything listens, saying which setting and what to do, and never echo a password.</summary>
public sealed class DatabaseConfigurationTests : IDisposable
{
    private const string Password = "pg-password-Vq93";

    private readonly TempDataDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task WebApp_UnknownProvider_RefusesNamingTheSettingAndTheEnginesThereAre()
    {
        var result = await AppProcess.RunWebAppAsync(_temp, new Dictionary<string, string> { ["SecretAdmin__Database__Provider"] = "oracle" });

        Assert.Equal(StartupRefusedException.ExitCode, result.ExitCode);
        Assert.Contains("SecretAdmin:Database:Provider is 'oracle', which is not an engine SecretAdmin runs on; set it to 'sqlite' (the default) or 'postgres'.", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WebApp_PostgresWithoutConnectionString_RefusesSayingWhatToSet()
    {
        var result = await AppProcess.RunWebAppAsync(_temp, new Dictionary<string, string>
        {
            ["SecretAdmin__Database__Provider"] = "postgres",
            ["SecretAdmin__Database__ConnectionString"] = "",
        });

        Assert.Equal(StartupRefusedException.ExitCode, result.ExitCode);
        Assert.Contains("SecretAdmin__Database__ConnectionString) is not set", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WebApp_ConnectionStringAsAnArgument_RefusesWithoutEchoingIt()
    {
        var result = await AppProcess.RunAsync(_temp, [
            "--urls", "http://127.0.0.1:0",
            "--SecretAdmin:Database:Provider=postgres",
            $"--SecretAdmin:Database:ConnectionString=Host=127.0.0.1;Port=1;Username=secretadmin;Password={Password}",
        ]);

        Assert.Equal(StartupRefusedException.ExitCode, result.ExitCode);
        Assert.Contains("was given as a command-line argument, where every user of the machine can read it", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, result.Output + result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WebApp_ConnectionStringThatCannotBeRead_RefusesWithoutEchoingIt()
    {
        var result = await AppProcess.RunWebAppAsync(_temp, new Dictionary<string, string>
        {
            ["SecretAdmin__Database__Provider"] = "postgres",
            ["SecretAdmin__Database__ConnectionString"] = $"Host=127.0.0.1;Pasword={Password}",
        });

        Assert.Equal(StartupRefusedException.ExitCode, result.ExitCode);
        Assert.Contains("cannot be read as a PostgreSQL connection string ('pasword' is not a key it knows", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, result.Output + result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CommandAndWebApp_PostgresServerUnreachable_RefuseNamingTheServerNotThePassword()
    {
        var environment = new Dictionary<string, string>
        {
            ["SecretAdmin__Database__Provider"] = "postgres",
            ["SecretAdmin__Database__ConnectionString"] = $"Host=127.0.0.1;Port=1;Database=secretadmin;Username=secretadmin;Password={Password};Timeout=5",
        };

        var web = await AppProcess.RunWebAppAsync(_temp, environment);
        var command = await AppProcess.RunAsync(_temp, ["settings", "show"], environment);

        foreach (var result in new[] { web, command })
        {
            Assert.Equal(StartupRefusedException.ExitCode, result.ExitCode);
            Assert.Contains("the PostgreSQL database 'secretadmin' on 127.0.0.1:1 cannot be opened or migrated (Failed to connect to 127.0.0.1:1)", result.Error, StringComparison.Ordinal);
            Assert.DoesNotContain(Password, result.Output + result.Error, StringComparison.Ordinal);
        }
    }
}
