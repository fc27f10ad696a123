using Microsoft.EntityFrameworkCore;
using SecretAdmin.Data;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Users;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Features.Users;

/// <summary><c>SecretAdmin admin create</c> through the real executable, as an operator runs it.</summary>
public sealed class AdminCommandTests : IDisposable
{
    private const string Email = "a@example.test";
    private const string Password = "Stdin-Only-Passw0rd";

    private readonly TempDataDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Create_PasswordOnStdin_CreatesAuditedAdminWithoutEchoingThePassword()
    {
        var result = await CreateAsync(Password + "\n");

        Assert.True(result.ExitCode == 0, result.Error + result.Output);
        Assert.Contains($"Created administrator {Email}", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, result.Output + result.Error, StringComparison.Ordinal);

        using var services = TestServices.Build(_temp);
        var user = Assert.Single((await services.GetRequiredService<UserAdminService>().SearchAsync(new UserQuery())).Items);
        Assert.Equal(Email, user.Email);
        Assert.True(user.IsAdmin);
        Assert.False(user.MustChangePassword);

        await using var db = services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContext();
        var entries = await db.AuditEntries.AsNoTracking().ToListAsync();
        var entry = Assert.Single(entries);
        Assert.Equal("cli", entry.Actor);
        Assert.Equal(AuditActions.UserCreated, entry.Action);
        Assert.Equal(Email, entry.Target);
        Assert.All(entries, e => Assert.DoesNotContain(
            Password,
            string.Join('|', e.Actor, e.Action, e.Target, e.ChangedFields, e.ClientIp),
            StringComparison.Ordinal));
    }

    [Fact]
    public async Task Create_InTheDevelopmentEnvironment_ValidatesItsServicesAndSucceeds()
    {
        var result = await AppProcess.RunAsync(
            _temp,
            ["admin", "create", "--email", Email, "--password-stdin"],
            environment: new Dictionary<string, string> { ["DOTNET_ENVIRONMENT"] = "Development" },
            standardInput: Password + "\n");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains($"Created administrator {Email}.", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_WithoutPasswordStdin_RefusesSayingToUseItAndCreatesNothing()
    {
        var result = await AppProcess.RunAsync(_temp, ["admin", "create", "--email", Email], standardInput: Password + "\n");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--password-stdin", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Created administrator", result.Output, StringComparison.Ordinal);
        await AssertNoUserAsync();
    }

    [Fact]
    public async Task Create_ShortPassword_ExitsOneWithLengthMessageAndCreatesNothing()
    {
        var result = await CreateAsync("Short-Pw1\n");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("at least 12 characters", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Created administrator", result.Output, StringComparison.Ordinal);
        await AssertNoUserAsync();
    }

    [Theory]
    [InlineData(new byte[0], "standard input was empty")]
    [InlineData(new byte[] { 0x0A }, "standard input held only a line break")]
    [InlineData(new byte[] { 0x53, 0x74, 0x64, 0x69, 0x6E, 0x2D, 0x4F, 0x6E, 0x6C, 0x79, 0x2D, 0xFF, 0x50, 0x61, 0x73, 0x73, 0x77, 0x30, 0x72, 0x64, 0x0A }, "standard input is not valid UTF-8")]
    public async Task Create_PasswordOnStdinEmptyOrNotUtf8_ExitsOneNamingTheOptionAndCreatesNothing(byte[] standardInput, string problem)
    {
        var result = await AppProcess.RunAsync(_temp, ["admin", "create", "--email", Email, "--password-stdin"], standardInput);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal([$"--password-stdin: {problem}"], result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.DoesNotContain("Created administrator", result.Output, StringComparison.Ordinal);
        await AssertNoUserAsync();
    }

    [Fact]
    public async Task Create_WhileWebAppRunsOnSameData_Succeeds()
    {
        using var app = new SecretAdminAppFactory(_temp);
        using var client = app.CreateClient();
        (await client.GetAsync("/healthz")).EnsureSuccessStatusCode();

        var result = await CreateAsync(Password + "\n");

        Assert.True(result.ExitCode == 0, result.Error + result.Output);
        Assert.Contains($"Created administrator {Email}", result.Output, StringComparison.Ordinal);
        var users = app.Services.GetRequiredService<UserAdminService>();
        Assert.True(await users.AnyAdminExistsAsync());
        Assert.True(Assert.Single((await users.SearchAsync(new UserQuery(Search: Email))).Items).IsAdmin);
    }

    private Task<AppProcess.Result> CreateAsync(string standardInput) =>
        AppProcess.RunAsync(_temp, ["admin", "create", "--email", Email, "--password-stdin"], standardInput: standardInput);

    private async Task AssertNoUserAsync()
    {
        using var services = TestServices.Build(_temp);
        var users = services.GetRequiredService<UserAdminService>();
        Assert.False(await users.AnyAdminExistsAsync());
        Assert.Equal(0, (await users.SearchAsync(new UserQuery())).TotalCount);
        await using var db = services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContext();
        Assert.Equal(0, await db.AuditEntries.CountAsync());
    }
}
