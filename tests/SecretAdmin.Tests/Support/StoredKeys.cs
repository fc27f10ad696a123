using Microsoft.Data.Sqlite;
using SecretAdmin.Data;
using SecretAdmin.Features.Keys;
using SecretAdmin.Security;

namespace SecretAdmin.Tests.Support;

/// <summary>The keys as a data folder holds them: the master key file, and the data keys in the database it unwraps.</summary>
public static class StoredKeys
{
    public static AesMasterKey MasterKey(DataDirectory data) =>
        new(new MasterKeyFile(data.MasterKeyFile).Read(), "aes", data.MasterKeyFile);

    /// <summary>The data keys unwrapped by the master key file, as a key ring whose newest key is active.</summary>
    public static KeyRing Read(DataDirectory data)
    {
        using var master = MasterKey(data);
        var keys = new List<DataKey>();
        using (var connection = new SqliteConnection($"Data Source={data.DatabaseFile};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = """SELECT "Id", "Wrapped", "MasterKeyId", "CreatedAtUtc" FROM "DataKeys" ORDER BY "Id" """;
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                keys.Add(new DataKey { Id = reader.GetInt32(0), Wrapped = (byte[])reader.GetValue(1), MasterKeyId = reader.GetString(2), CreatedAtUtc = DateTime.SpecifyKind(reader.GetDateTime(3), DateTimeKind.Utc) });
            }
        }

        var (opened, failed) = DataKeyStore.Unwrap(keys, master);
        Assert.Empty(failed);
        return new KeyRing(opened, opened.Max(k => k.Id));
    }
}
