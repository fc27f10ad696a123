using SecretAdmin.Security;

namespace SecretAdmin.Features.Keys;

/// <summary>
/// Master keys kept on a PKCS#11 token: AES-256, generated on the token, never extractable, so
/// wrapping and unwrapping run inside it. Ids are <c>pkcs11:&lt;CKA_ID in hex&gt;</c>.
/// </summary>
public interface IPkcs11MasterKeys
{
    /// <summary>
    /// The master key with id <paramref name="id"/> (as stored beside the wrapped keys), or, when
    /// null, the only key with the configured label; null when the token holds no such key.
    /// </summary>
    /// <exception cref="MasterKeyUnavailableException">The module, token or PIN is wrong or absent; the message says which and what to do.</exception>
    IMasterKey? Open(Pkcs11MasterKeyOptions options, string? id);

    /// <summary>Generates a new master key on the token, with the configured label and a new CKA_ID.</summary>
    /// <exception cref="MasterKeyUnavailableException">The module, token or PIN is wrong or absent.</exception>
    IMasterKey Generate(Pkcs11MasterKeyOptions options);

    /// <summary>Destroys the master key <paramref name="id"/> on the token (after nothing is wrapped by it any more); no-op when absent.</summary>
    /// <exception cref="MasterKeyUnavailableException">The module, token or PIN is wrong or absent.</exception>
    void Destroy(Pkcs11MasterKeyOptions options, string id);
}
