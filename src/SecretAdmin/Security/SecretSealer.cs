using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace SecretAdmin.Security;

/// <summary>
/// The one place that seals and opens stored secrets (AES-256-GCM). Services call it just
/// before saving and just where a secret is used; nothing else sees plaintext.
/// </summary>
public sealed class SecretSealer(IOptions<SealingOptions> options) : IDisposable
{
    private readonly bool _allowLegacyPlaintext = options.Value.AllowLegacyPlaintext;
    private volatile LoadedRing? _ring;

    public bool IsLoaded => _ring is not null;

    /// <summary>The key ring in use. Throws until start-up has loaded one.</summary>
    public KeyRing KeyRing => Ring.KeyRing;

    private LoadedRing Ring => _ring ?? throw new InvalidOperationException("The key ring has not been loaded; start-up did not complete.");

    /// <summary>Makes <paramref name="ring"/> the key ring for every later seal and open.</summary>
    public void Use(KeyRing ring)
    {
        var previous = Interlocked.Exchange(ref _ring, new LoadedRing(ring));
        previous?.Dispose();
    }

    public string Seal(string plaintext, SealedPlace place) =>
        Seal(plaintext, place, nonce: null);

    /// <summary>Seals with a given nonce: for the documented test vector only, never for stored values.</summary>
    internal string Seal(string plaintext, SealedPlace place, ReadOnlySpan<byte> nonce)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        var ring = Ring;
        var key = ring.KeyRing.Active;

        var plaintextLength = Encoding.UTF8.GetByteCount(plaintext);
        var payload = new byte[Envelope.NonceSize + plaintextLength + Envelope.TagSize];
        var payloadNonce = payload.AsSpan(0, Envelope.NonceSize);
        if (nonce.IsEmpty)
        {
            RandomNumberGenerator.Fill(payloadNonce);
        }
        else
        {
            nonce.CopyTo(payloadNonce);
        }

        var plaintextBytes = ArrayPool<byte>.Shared.Rent(plaintextLength);
        var associatedData = ArrayPool<byte>.Shared.Rent(place.AssociatedDataByteCount);
        var cipher = ring.Rent(key);
        try
        {
            Encoding.UTF8.GetBytes(plaintext, plaintextBytes);
            var associatedDataLength = place.WriteAssociatedData(associatedData);
            cipher.Encrypt(
                payloadNonce,
                plaintextBytes.AsSpan(0, plaintextLength),
                payload.AsSpan(Envelope.NonceSize, plaintextLength),
                payload.AsSpan(Envelope.NonceSize + plaintextLength),
                associatedData.AsSpan(0, associatedDataLength));
        }
        finally
        {
            ring.Return(key, cipher);
            CryptographicOperations.ZeroMemory(plaintextBytes.AsSpan(0, plaintextLength));
            ArrayPool<byte>.Shared.Return(plaintextBytes);
            ArrayPool<byte>.Shared.Return(associatedData);
        }

        return Envelope.Format(key.Id, payload);
    }

    /// <summary>Opens a stored value: unset (null), present, or unreadable with a reason — never an exception.</summary>
    public SecretRead Open(string? stored, SealedPlace place)
    {
        if (stored is null)
        {
            return SecretRead.Unset;
        }

        if (!Envelope.HasPrefix(stored))
        {
            if (stored.Length == 0)
            {
                return new SecretRead.UnreadableSecret(UnreadableReason.Malformed, keyId: null);
            }

            return _allowLegacyPlaintext
                ? new SecretRead.PresentSecret(stored, keyId: null)
                : new SecretRead.UnreadableSecret(UnreadableReason.LegacyPlaintext, keyId: null);
        }

        if (!Envelope.TryParse(stored, out var keyId, out var payload))
        {
            return new SecretRead.UnreadableSecret(UnreadableReason.Malformed, keyId: null);
        }

        var ring = Ring;
        if (!ring.KeyRing.TryGetKey(keyId, out var key))
        {
            return new SecretRead.UnreadableSecret(UnreadableReason.UnknownKeyId, keyId);
        }

        var plaintextLength = payload.Length - Envelope.NonceSize - Envelope.TagSize;
        var plaintextBytes = ArrayPool<byte>.Shared.Rent(plaintextLength);
        var associatedData = ArrayPool<byte>.Shared.Rent(place.AssociatedDataByteCount);
        var cipher = ring.Rent(key);
        try
        {
            var associatedDataLength = place.WriteAssociatedData(associatedData);
            cipher.Decrypt(
                payload.AsSpan(0, Envelope.NonceSize),
                payload.AsSpan(Envelope.NonceSize, plaintextLength),
                payload.AsSpan(Envelope.NonceSize + plaintextLength),
                plaintextBytes.AsSpan(0, plaintextLength),
                associatedData.AsSpan(0, associatedDataLength));
            return new SecretRead.PresentSecret(Encoding.UTF8.GetString(plaintextBytes, 0, plaintextLength), keyId);
        }
        catch (AuthenticationTagMismatchException)
        {
            return new SecretRead.UnreadableSecret(UnreadableReason.AuthenticationFailed, keyId);
        }
        catch (ArgumentException)
        {
            return new SecretRead.UnreadableSecret(UnreadableReason.Malformed, keyId);
        }
        finally
        {
            ring.Return(key, cipher);
            CryptographicOperations.ZeroMemory(plaintextBytes.AsSpan(0, plaintextLength));
            ArrayPool<byte>.Shared.Return(plaintextBytes);
            ArrayPool<byte>.Shared.Return(associatedData);
        }
    }

    public void Dispose() => Interlocked.Exchange(ref _ring, null)?.Dispose();

    /// <summary>
    /// A key ring with a pool of <see cref="AesGcm"/> instances per key: an instance is not
    /// thread-safe off Windows, so each operation rents one for itself.
    /// </summary>
    private sealed class LoadedRing(KeyRing keyRing) : IDisposable
    {
        private readonly ConcurrentDictionary<int, ConcurrentBag<AesGcm>> _pools = new();

        public KeyRing KeyRing { get; } = keyRing;

        public AesGcm Rent(SealingKey key) =>
            _pools.GetOrAdd(key.Id, static _ => []).TryTake(out var cipher)
                ? cipher
                : new AesGcm(key.Material, Envelope.TagSize);

        public void Return(SealingKey key, AesGcm cipher) => _pools.GetOrAdd(key.Id, static _ => []).Add(cipher);

        public void Dispose()
        {
            foreach (var pool in _pools.Values)
            {
                while (pool.TryTake(out var cipher))
                {
                    cipher.Dispose();
                }
            }
        }
    }
}
