using System.Security.Cryptography;
using SecretAdmin.Security;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Features.Keys;

/// <summary>
/// A value naming a data key this process does not hold makes it read the keys once before the value
/// is called unreadable — once per key id for a while, so a value naming a key that is truly gone does
/// not make every open read the database.
/// </summary>
public sealed class KeyRingRefreshTests : IDisposable
{
    private static readonly SealedPlace Place = new("SmtpSettings", "Password", "1");
    private readonly TempDataDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Open_KeyAddedToTheDatabaseByAnotherProcess_OpensAtFirstUse()
    {
        await using var services = TestServices.Build(_temp);
        var sealer = services.GetRequiredService<SecretSealer>();
        var (envelope, _) = await AddKeyElsewhereAsync(2);

        var read = sealer.Open(envelope, Place);

        Assert.Equal("the value", Assert.IsType<SecretRead.PresentSecret>(read).Value);
        Assert.Equal(2, sealer.KeyRing.Active.Id);
    }

    [Fact]
    public async Task Open_KeyIdTriedMomentsAgo_IsNotReadAgainUntilAnotherIdAsks()
    {
        await using var services = TestServices.Build(_temp);
        var sealer = services.GetRequiredService<SecretSealer>();
        var ring = TestSealing.Ring(9);
        var envelope = TestSealing.Sealer(ring).Seal("the value", Place);
        var otherMissing = TestSealing.Sealer(TestSealing.Ring(10)).Seal("another", Place);

        var first = sealer.Open(envelope, Place);
        using (var master = KeyCustodyFolder.MasterKeyIn(_temp.Data.MasterKeyFile))
        {
            await KeyCustodyFolder.StoreDataKeysAsync(_temp, ring, master);
        }

        // Key 9 is in the database now, but was looked for moments ago: not read again.
        var second = sealer.Open(envelope, Place);
        // Key 10 was not looked for yet: the keys are read, and key 9 comes with them.
        var other = sealer.Open(otherMissing, Place);
        var third = sealer.Open(envelope, Place);

        Assert.Equal(UnreadableReason.UnknownKeyId, Assert.IsType<SecretRead.UnreadableSecret>(first).Reason);
        Assert.Equal(UnreadableReason.UnknownKeyId, Assert.IsType<SecretRead.UnreadableSecret>(second).Reason);
        Assert.Equal(UnreadableReason.UnknownKeyId, Assert.IsType<SecretRead.UnreadableSecret>(other).Reason);
        Assert.Equal("the value", Assert.IsType<SecretRead.PresentSecret>(third).Value);
    }

    /// <summary>A data key stored as another process's rotation stores it, and a value sealed with it.</summary>
    private async Task<(string Envelope, KeyRing Ring)> AddKeyElsewhereAsync(int keyId)
    {
        var ring = new KeyRing([new SealingKey(keyId, DateTimeOffset.UtcNow, RandomNumberGenerator.GetBytes(SealingKey.SizeInBytes))], keyId);
        using (var master = KeyCustodyFolder.MasterKeyIn(_temp.Data.MasterKeyFile))
        {
            await KeyCustodyFolder.StoreDataKeysAsync(_temp, ring, master);
        }

        return (TestSealing.Sealer(ring).Seal("the value", Place), ring);
    }
}
