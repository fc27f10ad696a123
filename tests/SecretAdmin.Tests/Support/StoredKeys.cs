using SecretAdmin.Features.Keys;
using SecretAdmin.Security;
using SecretAdmin.Tests.Features.Keys;

namespace SecretAdmin.Tests.Support;

/// <summary>The keys as a data folder holds them: the data keys in the database, unwrapped by its master key file.</summary>
public static class StoredKeys
{
    /// <summary>The data keys unwrapped by the master key file, as a key ring whose newest key is active.</summary>
    public static KeyRing Read(TempDataDirectory temp)
    {
        using var master = KeyCustodyFolder.MasterKeyIn(temp.Data.MasterKeyFile);
        var rows = KeyCustodyFolder.DataKeysAsync(temp).GetAwaiter().GetResult();
        var keys = rows.Select(r => new DataKey { Id = r.Id, Wrapped = r.Wrapped, MasterKeyId = r.MasterKeyId, CreatedAtUtc = DateTime.UnixEpoch });
        var (opened, failed) = DataKeyStore.Unwrap(keys, master);
        Assert.Empty(failed);
        return new KeyRing(opened, opened.Max(k => k.Id));
    }
}
