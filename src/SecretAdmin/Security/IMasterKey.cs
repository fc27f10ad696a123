namespace SecretAdmin.Security;

/// <summary>
/// The key that wraps the data keys and the session keys. It opens nothing stored by itself — the
/// wrapped keys are in the database — and the database opens nothing without it.
/// </summary>
/// <remarks>
/// A wrapped value is <c>nonce (12) ‖ ciphertext ‖ tag (16)</c>, AES-256-GCM, with associated data
/// naming what it wraps, so a wrapped key cannot be passed off as another.
/// </remarks>
public interface IMasterKey : IDisposable
{
    /// <summary>A stable id that is not secret, stored beside what this key wraps: <c>file:…</c>, <c>environment:…</c>, <c>pkcs11:…</c>.</summary>
    string Id { get; }

    /// <summary>Where the key is, for messages: "the master key file /srv/data/keys/master.key".</summary>
    string Source { get; }

    /// <exception cref="MasterKeyUnavailableException">The key cannot be used now (a token removed, a PIN refused).</exception>
    byte[] Wrap(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData);

    /// <summary>The plaintext, or null when <paramref name="wrapped"/> does not open under this key (another key, or altered).</summary>
    /// <exception cref="MasterKeyUnavailableException">The key cannot be used now (a token removed, a PIN refused).</exception>
    byte[]? Unwrap(ReadOnlySpan<byte> wrapped, ReadOnlySpan<byte> associatedData);
}
