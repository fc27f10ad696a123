using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace SecretAdmin.Features.Keys;

/// <summary>
/// Encrypts the secret part of each new session key with the master key loaded at start, before
/// <see cref="SessionKeyXmlRepository"/> stores it: a copy of the database alone signs no cookie.
/// </summary>
public sealed class SessionKeyXmlEncryptor(LoadedMasterKey masterKey) : IXmlEncryptor
{
    /// <exception cref="Security.MasterKeyUnavailableException">No master key is loaded; no session key is created unencrypted instead.</exception>
    public EncryptedXmlInfo Encrypt(XElement plaintextElement) =>
        new(SessionKeyEncryption.Encrypt(plaintextElement, masterKey.Current), typeof(SessionKeyXmlDecryptor));
}
