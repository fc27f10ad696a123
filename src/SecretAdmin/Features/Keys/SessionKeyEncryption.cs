using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using SecretAdmin.Security;

namespace SecretAdmin.Features.Keys;

/// <summary>
/// How the secret part of a session key (the element Data Protection marks as requiring encryption)
/// is stored: its XML wrapped with the master key, as <c>&lt;encryptedSessionKey masterKeyId="…"&gt;base64&lt;/encryptedSessionKey&gt;</c>.
/// The id names the master key that opens it, so a refusal can say which key is needed.
/// </summary>
internal static class SessionKeyEncryption
{
    public static readonly XName ElementName = "encryptedSessionKey";

    public static readonly XName MasterKeyIdAttribute = "masterKeyId";

    /// <summary>The associated data of every wrap: a session key cannot be passed off as a data key, nor the reverse.</summary>
    private static readonly byte[] Purpose = Encoding.ASCII.GetBytes("SecretAdmin session key v1");

    public static XElement Encrypt(XElement plaintextElement, IMasterKey masterKey)
    {
        var plaintext = Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        try
        {
            return new XElement(
                ElementName,
                new XAttribute(MasterKeyIdAttribute, masterKey.Id),
                Convert.ToBase64String(masterKey.Wrap(plaintext, Purpose)));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <exception cref="CryptographicException">
    /// The element does not open under <paramref name="masterKey"/>: encrypted with another master key,
    /// altered, or not one of ours. The message names master key ids, never material.
    /// </exception>
    public static XElement Decrypt(XElement encryptedElement, IMasterKey masterKey)
    {
        if (encryptedElement.Name != ElementName || MasterKeyIdOf(encryptedElement) is not { Length: > 0 } masterKeyId)
        {
            throw new CryptographicException(
                $"A session key's encrypted part is not an <{ElementName}> element naming its master key; it was altered or not written by SecretAdmin. " +
                "Sessions signed with that key are refused, and people sign in again.");
        }

        if (masterKeyId != masterKey.Id)
        {
            throw new CryptographicException(
                $"This session key was encrypted with master key {masterKeyId}, which is not the one loaded ({masterKey.Id}, {masterKey.Source}). " +
                $"Sessions signed with it are refused, and people sign in again; to keep them, start SecretAdmin with master key {masterKeyId}.");
        }

        byte[] wrapped;
        try
        {
            wrapped = Convert.FromBase64String(encryptedElement.Value);
        }
        catch (FormatException)
        {
            throw new CryptographicException($"A session key encrypted with master key {masterKeyId} is not valid base64; it was altered. Sessions signed with it are refused, and people sign in again.");
        }

        var plaintext = masterKey.Unwrap(wrapped, Purpose)
            ?? throw new CryptographicException(
                $"A session key encrypted with master key {masterKeyId} does not open under the loaded master key of that id ({masterKey.Source}): " +
                "the session key was altered, or that master key's material is not the one it was encrypted with. Sessions signed with it are refused, and people sign in again.");
        try
        {
            return XElement.Parse(Encoding.UTF8.GetString(plaintext));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    public static string? MasterKeyIdOf(XElement encryptedElement) => encryptedElement.Attribute(MasterKeyIdAttribute)?.Value;
}
