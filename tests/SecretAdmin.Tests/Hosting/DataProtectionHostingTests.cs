using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Data.Sqlite;
using SecretAdmin.Features.Keys;
using SecretAdmin.Security;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Hosting;

/// <summary>
/// The Data Protection keys that sign session and antiforgery cookies, in the real web app on a real
/// SQLite file: kept in the database, encrypted with the master key, usable by every instance that
/// has the master key and by none that lacks it.
/// </summary>
public sealed class DataProtectionHostingTests : IDisposable
{
    private static readonly XNamespace DataProtectionNamespace = "http://schemas.asp.net/2015/03/dataProtection";
    private readonly TempDataDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task SessionKeys_AfterSignIn_StoredEncryptedWithTheMasterKeyAndNoKeyMaterialInTheDatabase()
    {
        using var app = new SecretAdminAppFactory(_temp);
        await SessionCookies.SignInAsync(app, "ada@example.test");
        var masterKeyId = app.Services.GetRequiredService<LoadedMasterKey>().Current.Id;

        var stored = await StoredXmlAsync();

        Assert.NotEmpty(stored);
        var keyValues = new List<string>();
        foreach (var xml in stored)
        {
            Assert.DoesNotContain("<masterKey", xml, StringComparison.Ordinal);
            var encrypted = XElement.Parse(xml).Descendants(DataProtectionNamespace + "encryptedSecret").ToList();
            Assert.NotEmpty(encrypted);
            foreach (var secret in encrypted)
            {
                var inner = secret.Elements().Single();
                Assert.Equal(masterKeyId, inner.Attribute("masterKeyId")?.Value);
                var decryptor = (IXmlDecryptor)Activator.CreateInstance(Type.GetType(secret.Attribute("decryptorType")!.Value, throwOnError: true)!, app.Services)!;
                keyValues.Add(decryptor.Decrypt(inner).Descendants("value").Single().Value);
            }
        }

        var files = _temp.StoredBytes();
        foreach (var value in keyValues)
        {
            Assert.True(value.Length >= 64, "a Data Protection key's value is the base64 of its 64 or more bytes");
            Assert.All(stored, xml => Assert.DoesNotContain(value, xml, StringComparison.Ordinal));
            Assert.All(files, bytes => Assert.Equal(-1, bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(value))));
            Assert.All(files, bytes => Assert.Equal(-1, bytes.AsSpan().IndexOf(Convert.FromBase64String(value))));
        }
    }

    [Fact]
    public async Task SessionKeys_CreatedAndUsed_NoWarningThatTheyAreStoredUnencrypted()
    {
        using var app = new SecretAdminAppFactory(_temp);

        await SessionCookies.SignInAsync(app, "ada@example.test");

        Assert.NotEmpty(await StoredXmlAsync());
        Assert.DoesNotContain(app.Logs.Lines, l => l.Message.Contains("No XML encryptor configured", StringComparison.Ordinal));
        Assert.DoesNotContain(app.Logs.Lines, l => l.Message.Contains("unencrypted form", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SessionCookie_SecondInstanceOnTheSameDatabaseWithTheSameMasterKey_Accepted()
    {
        var masterKey = RandomNumberGenerator.GetBytes(AesMasterKey.SizeInBytes);
        string cookie;
        using (var first = new SecretAdminAppFactory(_temp, masterKey: masterKey))
        {
            cookie = await SessionCookies.SignInAsync(first, "ada@example.test");
        }

        using var second = new SecretAdminAppFactory(_temp, masterKey: masterKey);

        Assert.True(await SessionCookies.IsAcceptedAsync(second, cookie));
    }

    [Fact]
    public async Task SessionCookie_SecondInstanceOnTheSameDatabaseWithAnotherMasterKey_DoesNotStartNamingTheKeyItNeeds()
    {
        var masterKey = RandomNumberGenerator.GetBytes(AesMasterKey.SizeInBytes);
        var other = RandomNumberGenerator.GetBytes(AesMasterKey.SizeInBytes);
        string cookie;
        using (var first = new SecretAdminAppFactory(_temp, masterKey: masterKey))
        {
            cookie = await SessionCookies.SignInAsync(first, "ada@example.test");
        }

        // A copy of the data folder with another master key opens nothing: not even start-up goes on.
        await File.WriteAllTextAsync(_temp.Data.MasterKeyFile, Convert.ToBase64String(other) + "\n");
        var refused = await AppProcess.RunWebAppAsync(_temp);

        Assert.Equal(AppProcess.RefusedExitCode, refused.ExitCode);
        Assert.Contains($"wrapped by master key aes:{AesMasterKey.Fingerprint(masterKey)}", refused.Error, StringComparison.Ordinal);
        Assert.NotEmpty(cookie);
    }

    private async Task<List<string>> StoredXmlAsync()
    {
        await using var connection = _temp.OpenConnection();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT \"Xml\" FROM \"SessionKeys\"";
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }
}
