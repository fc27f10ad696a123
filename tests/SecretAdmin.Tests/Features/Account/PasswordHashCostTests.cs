using System.Buffers.Binary;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SecretAdmin.Features.Account;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Mfa;
using SecretAdmin.Features.Users;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Features.Account;

/// <summary>
/// What a password, a recovery code and the unknown-account decoy cost to hash and check: the app's
/// own hasher options everywhere, Identity's 100,000 PBKDF2 iterations as deployed. The in-process
/// tests lower the count (<see cref="TestPasswordHashing"/>); these tests are what keeps that honest.
/// </summary>
public sealed class PasswordHashCostTests : IDisposable
{
    private const int DeployedIterations = 100_000;

    private readonly TempDataDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task AdminCreate_AsDeployed_HashesThePasswordWithIdentitysHundredThousandIterations()
    {
        Assert.Equal(DeployedIterations, new PasswordHasherOptions().IterationCount);

        var result = await AppProcess.RunAsync(_temp, ["admin", "create", "--email", "a@example.test", "--password-stdin"], standardInput: "Deployed-Cost-Passw0rd\n");

        Assert.True(result.ExitCode == 0, result.Error);
        await using var db = TestDatabase.Open(_temp);
        var hash = await db.Users.Select(u => u.PasswordHash).SingleAsync();
        Assert.Equal(DeployedIterations, IterationsOf(hash!));
    }

    [Fact]
    public async Task RecoveryCodes_AreHashedWithTheAppsHasherOptions()
    {
        using var services = TestServices.Build(_temp);
        var users = services.GetRequiredService<UserAdminService>();
        Assert.True((await users.CreateAsync(AuditActor.Cli, "ada@example.test", "Correct-Horse-42!", isAdmin: false)).Succeeded);
        var userId = (await users.SearchAsync(new("ada"))).Items.Single().Id;
        await services.GetRequiredService<MfaEnrollmentService>().RegenerateRecoveryCodesAsync(AuditActor.Cli, userId);

        await using var db = TestDatabase.Open(_temp);
        var hashes = await db.RecoveryCodes.Where(c => c.UserId == userId).Select(c => c.CodeHash).ToListAsync();
        Assert.Equal(10, hashes.Count);
        Assert.All(hashes, hash => Assert.Equal(services.GetRequiredService<IOptions<PasswordHasherOptions>>().Value.IterationCount, IterationsOf(hash)));
        Assert.Equal(TestPasswordHashing.IterationCount, IterationsOf(hashes[0]));
    }

    [Theory]
    [InlineData(DeployedIterations)]
    [InlineData(12_345)]
    public void Decoy_IsHashedWithTheAppsHasherOptions(int iterations)
    {
        var decoy = new DecoyPasswordHash(Options.Create(new PasswordHasherOptions { IterationCount = iterations }));

        Assert.Equal(iterations, IterationsOf(decoy.Value));
        Assert.Same(decoy.Value, decoy.Value);
    }

    /// <summary>The iteration count an Identity version 3 hash records: after its format byte and PRF, big-endian.</summary>
    private static int IterationsOf(string hash)
    {
        var bytes = Convert.FromBase64String(hash);
        Assert.Equal(0x01, bytes[0]);
        return (int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(5, 4));
    }
}
