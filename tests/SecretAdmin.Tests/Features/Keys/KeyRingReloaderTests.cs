using System.Security.Cryptography;
using SecretAdmin.Security;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Features.Keys;

/// <summary>The running web app follows a key ring replaced by another process (the command line).</summary>
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
    public async Task FileReplaced_WhileRunning_TheAppSealsWithTheNewActiveKey()
    {
        using var client = _app.CreateClient();
        var sealer = _app.Services.GetRequiredService<SecretSealer>();
        var file = new KeyRingFile(_temp.Data.KeyRingFile);
        var ring = file.Read();
        Assert.Equal(1, sealer.KeyRing.Active.Id);

        file.Replace(new KeyRing([.. ring.Keys, new SealingKey(2, DateTimeOffset.UtcNow, RandomNumberGenerator.GetBytes(SealingKey.SizeInBytes))], activeKeyId: 2));

        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (sealer.KeyRing.Active.Id != 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.Equal(2, sealer.KeyRing.Active.Id);
        Assert.StartsWith("sa1:2:", sealer.Seal("value", new SealedPlace("t", "c", "1")), StringComparison.Ordinal);
    }
}
