using System.Text.Json;
using SecretAdmin.Data;
using SecretAdmin.Features.Keys;
using SecretAdmin.Hosting;
using SecretAdmin.Security;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Features.Keys;

/// <summary>
/// Data folders for the key custody tests that drive the executable: one as an earlier version
/// left it (values sealed with a key ring, no data keys), and the database's data keys read and
/// changed with plain SQL, as an operator or an attacker with the file would.
/// </summary>
internal static class KeyCustodyFolder
{
    public const string SmtpPassword = "smtp-pass-of-the-earlier-version";

    public sealed record DataKeyRow(int Id, byte[] Wrapped, string MasterKeyId, long Seals);

    /// <summary>
    /// The database migrated but holding no data keys, an SMTP password and <paramref name="users"/>
    /// TOTP secrets sealed with <paramref name="ring"/>, and the key ring in <c>keys/keyring.json</c>
    /// unless it is to come from the environment.
    /// </summary>
    public static async Task CreateEarlierVersionAsync(TempDataDirectory temp, KeyRing ring, int users = 12, bool keyRingFile = true)
    {
        TestDatabase.SealSmtpPassword(temp, ring, SmtpPassword);
        var services = new ServiceCollection();
        services.AddSingleton(temp.Data);
        services.AddSecretAdminDatabase();
        temp.ConfigureDatabase(services);
        services.AddSingleton(TestSealing.Sealer(ring));
        await using (var provider = services.BuildServiceProvider())
        {
            await SealedUserSeeder.SeedAsync(provider, users);
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (keyRingFile)
        {
            Assert.True(new KeyRingFile(temp.Data.KeyRingFile).TryCreate(ring));
        }
    }

    /// <summary>
    /// A data folder as this version leaves it after converting <see cref="CreateEarlierVersionAsync"/>'s
    /// folder: the ring's keys in the database wrapped by a new master key file, or by <paramref name="master"/>
    /// when the master key comes from elsewhere (the environment).
    /// </summary>
    public static async Task CreateConvertedAsync(TempDataDirectory temp, KeyRing ring, int users, AesMasterKey? master = null)
    {
        await CreateEarlierVersionAsync(temp, ring, users, keyRingFile: false);
        if (master is not null)
        {
            await StoreDataKeysAsync(temp, ring, master);
            return;
        }

        Assert.True(new MasterKeyFile(temp.Data.MasterKeyFile).TryCreate());
        using var file = MasterKeyIn(temp.Data.MasterKeyFile);
        await StoreDataKeysAsync(temp, ring, file);
    }

    /// <summary>The ring's keys as data keys wrapped by <paramref name="master"/>, as a conversion commits them.</summary>
    public static async Task StoreDataKeysAsync(TempDataDirectory temp, KeyRing ring, AesMasterKey master)
    {
        foreach (var key in ring.Keys)
        {
            await ExecuteAsync(
                temp,
                "INSERT INTO \"DataKeys\" (\"Id\", \"CreatedAtUtc\", \"Wrapped\", \"MasterKeyId\", \"Seals\") VALUES (@id, '2026-01-01 00:00:00', @w, @m, 0)",
                ("@id", key.Id),
                ("@w", master.Wrap(key.Material, DataKeyStore.AssociatedData(key.Id))),
                ("@m", master.Id));
        }
    }

    public static async Task<IReadOnlyList<DataKeyRow>> DataKeysAsync(TempDataDirectory temp)
    {
        await using var connection = temp.OpenConnection();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT \"Id\", \"Wrapped\", \"MasterKeyId\", \"Seals\" FROM \"DataKeys\" ORDER BY \"Id\"";
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<DataKeyRow>();
        while (await reader.ReadAsync())
        {
            rows.Add(new DataKeyRow(reader.GetInt32(0), (byte[])reader.GetValue(1), reader.GetString(2), reader.GetInt64(3)));
        }

        return rows;
    }

    public static async Task<int> ExecuteAsync(TempDataDirectory temp, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = temp.OpenConnection();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.AddParameter(name, value);
        }

        return await command.ExecuteNonQueryAsync();
    }

    public static Task SetWrappedAsync(TempDataDirectory temp, int id, byte[] wrapped) =>
        ExecuteAsync(temp, "UPDATE \"DataKeys\" SET \"Wrapped\" = @w WHERE \"Id\" = @id", ("@w", wrapped), ("@id", id));

    /// <summary>The master key in a master key file, as the app reads it.</summary>
    public static AesMasterKey MasterKeyIn(string path) => new(new MasterKeyFile(path).Read(), "aes", path);

    /// <summary>Each state <c>keys verify --json</c> reports, with its count.</summary>
    public static IReadOnlyDictionary<string, int> VerifyStates(string json) =>
        JsonDocument.Parse(json).RootElement.GetProperty("entries").EnumerateArray()
            .GroupBy(e => e.GetProperty("state").GetString()!)
            .ToDictionary(g => g.Key, g => g.Sum(e => e.GetProperty("count").GetInt32()));
}
