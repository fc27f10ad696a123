using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;
using SecretAdmin.Features.Keys;
using SecretAdmin.Security;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Features.Keys;

/// <summary>Session keys moved from one master key to another inside the caller's transaction, on a real SQLite file.</summary>
public sealed class SessionKeyRewrapTests : IDisposable
{
    private const string Purpose = "SecretAdmin.Tests.SessionKeyRewrap";
    private readonly TempDataDirectory _temp = new();
    private readonly byte[] _a = RandomNumberGenerator.GetBytes(AesMasterKey.SizeInBytes);
    private readonly byte[] _b = RandomNumberGenerator.GetBytes(AesMasterKey.SizeInBytes);

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task RewrapAsync_FromAToB_SessionOfAsEraAcceptedUnderBAndRefusedUnderA()
    {
        string cookie;
        using (var before = new SecretAdminAppFactory(_temp, masterKey: _a))
        {
            cookie = await SessionCookies.SignInAsync(before, "ada@example.test");
        }

        var rewrapped = await RewrapInTransactionAsync(_a, _b, dataKeysToo: true);

        Assert.True(rewrapped >= 1, $"{rewrapped} session keys re-encrypted");
        using (var underB = new SecretAdminAppFactory(_temp, masterKey: _b))
        {
            Assert.True(await SessionCookies.IsAcceptedAsync(underB, cookie));
        }

        // Under A the data folder does not even start: its keys are wrapped by B now.
        await File.WriteAllTextAsync(_temp.Data.MasterKeyFile, Convert.ToBase64String(_a) + "\n");
        Assert.Equal(AppProcess.RefusedExitCode, (await AppProcess.RunWebAppAsync(_temp)).ExitCode);
    }

    [Fact]
    public async Task RewrapAsync_EveryKey_OpensUnderTheNewMasterKeyOnly()
    {
        var @protected = ProtectUnder(_a, "payload", keys: 2);

        Assert.Equal(2, await RewrapInTransactionAsync(_a, _b));

        Assert.Equal("payload", UnprotectUnder(_b, @protected));
        Assert.ThrowsAny<CryptographicException>(() => UnprotectUnder(_a, @protected));
    }

    [Fact]
    public async Task RewrapAsync_SecondRun_ChangesNothing()
    {
        ProtectUnder(_a, "payload", keys: 1);
        await RewrapInTransactionAsync(_a, _b);
        var after = await StoredXmlAsync();

        Assert.Equal(0, await RewrapInTransactionAsync(_a, _b));
        Assert.Equal(after, await StoredXmlAsync());
    }

    [Fact]
    public async Task RewrapAsync_NotSaved_LeavesTheKeysUnderTheOldMasterKey()
    {
        var @protected = ProtectUnder(_a, "payload", keys: 1);

        await using (var db = TestDatabase.Open(_temp))
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            using var from = MasterKey(_a);
            using var to = MasterKey(_b);
            Assert.Equal(1, await SessionKeyRewrap.RewrapAsync(db, from, to, CancellationToken.None));
            await db.SaveChangesAsync();
            await transaction.RollbackAsync();
        }

        Assert.Equal("payload", UnprotectUnder(_a, @protected));
    }

    [Fact]
    public async Task RewrapAsync_KeyEncryptedWithAThirdMasterKey_RefusesNamingItsRowAndMasterKey()
    {
        var c = RandomNumberGenerator.GetBytes(AesMasterKey.SizeInBytes);
        ProtectUnder(_a, "payload", keys: 1);
        ProtectUnder(c, "payload", keys: 1);
        var before = await StoredXmlAsync();

        var error = await Assert.ThrowsAsync<CryptographicException>(() => RewrapInTransactionAsync(_a, _b));

        Assert.Contains($"is encrypted with master key aes:{AesMasterKey.Fingerprint(c)}", error.Message, StringComparison.Ordinal);
        Assert.Contains("row 2 of SessionKeys", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await StoredXmlAsync());
    }

    [Fact]
    public async Task RewrapAsync_KeyAlteredUnderTheOldMasterKey_Refuses()
    {
        ProtectUnder(_a, "payload", keys: 1);
        await using (var db = TestDatabase.Open(_temp))
        {
            var row = await db.SessionKeys.SingleAsync();
            var xml = System.Xml.Linq.XElement.Parse(row.Xml);
            var encrypted = xml.Descendants("encryptedSessionKey").Single();
            var bytes = Convert.FromBase64String(encrypted.Value);
            bytes[^1] ^= 1;
            encrypted.Value = Convert.ToBase64String(bytes);
            row.Xml = xml.ToString();
            await db.SaveChangesAsync();
        }

        var error = await Assert.ThrowsAsync<CryptographicException>(() => RewrapInTransactionAsync(_a, _b));

        Assert.Contains("does not open under the loaded master key", error.Message, StringComparison.Ordinal);
    }

    private static AesMasterKey MasterKey(byte[] material) => new(material, "aes", "the test's master key");

    /// <summary>
    /// As a master-key rotation calls it: its own context and transaction, saved and committed by the
    /// caller — with the data keys re-wrapped in the same transaction when <paramref name="dataKeysToo"/>.
    /// </summary>
    private async Task<int> RewrapInTransactionAsync(byte[] fromMaterial, byte[] toMaterial, bool dataKeysToo = false)
    {
        await using var db = TestDatabase.Open(_temp);
        await using var transaction = await db.Database.BeginTransactionAsync();
        using var from = MasterKey(fromMaterial);
        using var to = MasterKey(toMaterial);
        if (dataKeysToo)
        {
            foreach (var key in await db.DataKeys.ToListAsync())
            {
                key.Wrapped = to.Wrap(from.Unwrap(key.Wrapped, DataKeyStore.AssociatedData(key.Id))!, DataKeyStore.AssociatedData(key.Id));
                key.MasterKeyId = to.Id;
            }
        }

        var rewrapped = await SessionKeyRewrap.RewrapAsync(db, from, to, CancellationToken.None);
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        return rewrapped;
    }

    /// <summary>Creates <paramref name="keys"/> new session keys under the master key, as the app would, and protects a payload with the last.</summary>
    private string ProtectUnder(byte[] masterKey, string payload, int keys)
    {
        using var services = ServicesUnder(masterKey);
        var manager = services.GetRequiredService<IKeyManager>();
        for (var i = 0; i < keys; i++)
        {
            manager.CreateNewKey(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(90));
        }

        return services.GetRequiredService<IDataProtectionProvider>().CreateProtector(Purpose).Protect(payload);
    }

    private string UnprotectUnder(byte[] masterKey, string @protected)
    {
        using var services = ServicesUnder(masterKey);
        return services.GetRequiredService<IDataProtectionProvider>().CreateProtector(Purpose).Unprotect(@protected);
    }

    private ServiceProvider ServicesUnder(byte[] masterKey)
    {
        var services = TestServices.Build(_temp);
        services.GetRequiredService<LoadedMasterKey>().Use(MasterKey(masterKey));
        return services;
    }

    private async Task<List<string>> StoredXmlAsync()
    {
        await using var db = TestDatabase.Open(_temp);
        return await db.SessionKeys.OrderBy(k => k.Id).Select(k => k.Xml).ToListAsync();
    }
}
