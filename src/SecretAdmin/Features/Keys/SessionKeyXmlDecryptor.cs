using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace SecretAdmin.Features.Keys;

/// <summary>
/// Opens a session key that <see cref="SessionKeyXmlEncryptor"/> encrypted, with the master key
/// loaded at start. Data Protection creates it from the type name stored with the key, through the
/// constructor that takes the app's services.
/// </summary>
public sealed class SessionKeyXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    private readonly LoadedMasterKey _masterKey = services.GetRequiredService<LoadedMasterKey>();

    /// <exception cref="System.Security.Cryptography.CryptographicException">The key was encrypted with another master key, or altered.</exception>
    /// <exception cref="Security.MasterKeyUnavailableException">No master key is loaded.</exception>
    public XElement Decrypt(XElement encryptedElement) => SessionKeyEncryption.Decrypt(encryptedElement, _masterKey.Current);
}
