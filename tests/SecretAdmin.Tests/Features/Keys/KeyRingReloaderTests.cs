using System.Security.Cryptography;
using SecretAdmin.Data;
using SecretAdmin.Features.Keys;
using SecretAdmin.Security;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Features.Keys;

/// <summary>The running web app follows data keys changed by another process, and refuses ones that do not fit.</summary>
public sealed class KeyRingReloaderTests : IDisposable
{
    private readonly TempDataDirectory _temp = new();
    private readonly SecretAdminAppFactory _app;

    public KeyRingReloaderTests() => _app = new SecretAdminAppFactory(_temp);

    public void Dispose()
    {
        _app.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task DataKeyAddedByAnotherProcess_WhileRunning_TheAppSealsWithItWithoutARestart()
    {
        using var client = _app.CreateClient();
        var sealer = _app.Services.GetRequiredService<SecretSealer>();
        Assert.Equal(1, sealer.KeyRing.Active.Id);

        var rotate = await AppProcess.RunAsync(_temp, ["keys", "rotate"]);
        Assert.True(rotate.ExitCode == 0, rotate.Error);

        await WaitAsync(() => sealer.KeyRing.Active.Id == 2);
        Assert.StartsWith("sa1:2:", sealer.Seal("value", new SealedPlace("t", "c", "1")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DataKeyReplacedBySameIdWithOtherMaterial_WhileRunning_IsRefusedAndTheKeyInUseStays()
    {
        using var client = _app.CreateClient();
        var sealer = _app.Services.GetRequiredService<SecretSealer>();
        var custody = _app.Services.GetRequiredService<KeyCustody>();
        var before = sealer.Seal("value", new SealedPlace("t", "c", "1"));
        using (var master = KeyCustodyFolder.MasterKeyIn(_temp.Data.MasterKeyFile))
        await using (var connection = _temp.OpenConnection())
        {
            // Wrapped properly, under the right master key: only its material is another.
            await using var command = connection.CreateCommand();
            command.CommandText = """UPDATE "DataKeys" SET "Wrapped" = @wrapped WHERE "Id" = 1""";
            command.AddParameter("@wrapped", master.Wrap(RandomNumberGenerator.GetBytes(SealingKey.SizeInBytes), DataKeyStore.AssociatedData(1)));
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }

        await WaitAsync(() => custody.ReloadProblem is not null);

        Assert.Contains("data key(s) 1 in the database open to other key material", custody.ReloadProblem, StringComparison.Ordinal);
        Assert.Equal("value", Assert.IsType<SecretRead.PresentSecret>(sealer.Open(before, new SealedPlace("t", "c", "1"))).Value);
        var health = await client.GetStringAsync("/healthz");
        Assert.Contains("Degraded", health, StringComparison.Ordinal);
    }

    private static async Task WaitAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.True(condition(), "not within 15 s");
    }
}
