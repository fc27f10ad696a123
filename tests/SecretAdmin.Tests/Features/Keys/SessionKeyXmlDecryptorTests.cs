using System.Security.Cryptography;
using System.Xml.Linq;
using SecretAdmin.Features.Keys;
using SecretAdmin.Security;

namespace SecretAdmin.Tests.Features.Keys;

/// <summary>A session key's secret part encrypted with one master key and opened, or refused, with the master key loaded.</summary>
public sealed class SessionKeyXmlDecryptorTests
{
    private const string Secret = "c2Vzc2lvbi1rZXktbWF0ZXJpYWwtdGhhdC1tdXN0LW5vdC1sZWFr";
    private static readonly XElement Plaintext = new("masterKey", new XComment(" Warning: the key below is in an unencrypted form. "), new XElement("value", Secret));

    [Fact]
    public void Decrypt_EncryptedWithTheLoadedMasterKey_GivesBackTheElement()
    {
        var loaded = Loaded(RandomNumberGenerator.GetBytes(AesMasterKey.SizeInBytes));
        var encrypted = new SessionKeyXmlEncryptor(loaded).Encrypt(Plaintext);

        var decrypted = Decryptor(loaded).Decrypt(encrypted.EncryptedElement);

        Assert.Equal(typeof(SessionKeyXmlDecryptor), encrypted.DecryptorType);
        Assert.DoesNotContain(Secret, encrypted.EncryptedElement.ToString(), StringComparison.Ordinal);
        Assert.Equal(loaded.Current.Id, encrypted.EncryptedElement.Attribute("masterKeyId")?.Value);
        Assert.Equal(Plaintext.ToString(), decrypted.ToString());
    }

    [Fact]
    public void Decrypt_EncryptedWithAnotherMasterKey_RefusesNamingBothKeysAndNoMaterial()
    {
        var encryptedWith = RandomNumberGenerator.GetBytes(AesMasterKey.SizeInBytes);
        var encrypted = new SessionKeyXmlEncryptor(Loaded(encryptedWith)).Encrypt(Plaintext).EncryptedElement;
        var other = Loaded(RandomNumberGenerator.GetBytes(AesMasterKey.SizeInBytes));

        var error = Assert.Throws<CryptographicException>(() => Decryptor(other).Decrypt(encrypted));

        Assert.Contains($"was encrypted with master key aes:{AesMasterKey.Fingerprint(encryptedWith)}, which is not the one loaded ({other.Current.Id}", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(encrypted.Value, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decrypt_SameIdButAltered_Refuses()
    {
        var loaded = Loaded(RandomNumberGenerator.GetBytes(AesMasterKey.SizeInBytes));
        var encrypted = new SessionKeyXmlEncryptor(loaded).Encrypt(Plaintext).EncryptedElement;
        var bytes = Convert.FromBase64String(encrypted.Value);
        bytes[AesMasterKey.SizeInBytes] ^= 1;
        encrypted.Value = Convert.ToBase64String(bytes);

        var error = Assert.Throws<CryptographicException>(() => Decryptor(loaded).Decrypt(encrypted));

        Assert.Contains($"encrypted with master key {loaded.Current.Id} does not open", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decrypt_MasterKeyIdRemoved_Refuses()
    {
        var loaded = Loaded(RandomNumberGenerator.GetBytes(AesMasterKey.SizeInBytes));
        var encrypted = new SessionKeyXmlEncryptor(loaded).Encrypt(Plaintext).EncryptedElement;
        encrypted.Attribute("masterKeyId")!.Remove();

        Assert.Throws<CryptographicException>(() => Decryptor(loaded).Decrypt(encrypted));
    }

    [Fact]
    public void Encrypt_NoMasterKeyLoaded_RefusesRatherThanStoringItUnencrypted()
    {
        Assert.Throws<MasterKeyUnavailableException>(() => new SessionKeyXmlEncryptor(new LoadedMasterKey()).Encrypt(Plaintext));
    }

    private static LoadedMasterKey Loaded(byte[] material)
    {
        var loaded = new LoadedMasterKey();
        loaded.Use(new AesMasterKey(material, "aes", "the test's master key"));
        return loaded;
    }

    private static SessionKeyXmlDecryptor Decryptor(LoadedMasterKey loaded) =>
        new(new ServiceCollection().AddSingleton(loaded).BuildServiceProvider());
}
