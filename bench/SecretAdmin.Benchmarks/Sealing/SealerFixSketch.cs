using System.Buffers;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using SecretAdmin.Security;

namespace SecretAdmin.Benchmarks.Sealing;

/// <summary>
/// Not used by the app: a sketch of the change docs/benchmarks.md proposes for
/// src/SecretAdmin/Security/SecretSealer.cs, kept here so its effect is measured in the same run.
/// Same envelope, same associated data, same checks (canonical base64url, tag) as SecretSealer;
/// different bookkeeping:
/// <list type="bullet">
/// <item>each key's <see cref="AesGcm"/> is taken from a one-instance slot with one
/// <see cref="Interlocked.Exchange{T}(ref T, T)"/> (falling back to a bag only when threads
/// contend), instead of a <see cref="ConcurrentDictionary{TKey, TValue}"/> lookup and a
/// <see cref="ConcurrentBag{T}"/> take (which locks when the bag holds one instance) and add per call;</item>
/// <item>the associated data is written from its four parts into a stack buffer, instead of
/// building the string twice per call;</item>
/// <item>the payload is a stack buffer and the envelope one <see cref="string.Create{TState}"/>, instead of
/// a payload array, a key-id string and a base64 string concatenated.</item>
/// </list>
/// It returns the opened text (or null) rather than a <see cref="SecretRead"/>, whose constructors are internal.
/// </summary>
internal sealed class SealerFixSketch : IDisposable
{
    private const string AssociatedDataPrefix = "secretadmin:";
    private const int StackLimit = 256;

    private readonly Dictionary<int, KeyCiphers> _keys;
    private readonly KeyCiphers _active;

    public SealerFixSketch(IEnumerable<(int Id, byte[] Material)> keys, int activeKeyId)
    {
        _keys = keys.ToDictionary(k => k.Id, k => new KeyCiphers(k.Id, k.Material));
        _active = _keys[activeKeyId];
    }

    public string Seal(string plaintext, SealedPlace place)
    {
        var plaintextLength = Encoding.UTF8.GetByteCount(plaintext);
        var payloadLength = Envelope.NonceSize + plaintextLength + Envelope.TagSize;
        var associatedDataLength = AssociatedDataByteCount(place);
        byte[]? rented = null;
        var buffer = payloadLength + plaintextLength + associatedDataLength <= StackLimit
            ? stackalloc byte[StackLimit]
            : (rented = ArrayPool<byte>.Shared.Rent(payloadLength + plaintextLength + associatedDataLength));
        var payload = buffer[..payloadLength];
        var plaintextBytes = buffer.Slice(payloadLength, plaintextLength);
        var associatedData = buffer.Slice(payloadLength + plaintextLength, associatedDataLength);
        var cipher = _active.Rent();
        try
        {
            RandomNumberGenerator.Fill(payload[..Envelope.NonceSize]);
            Encoding.UTF8.GetBytes(plaintext, plaintextBytes);
            WriteAssociatedData(place, associatedData);
            cipher.Encrypt(payload[..Envelope.NonceSize], plaintextBytes, payload.Slice(Envelope.NonceSize, plaintextLength), payload[(Envelope.NonceSize + plaintextLength)..], associatedData);
            return Format(_active.Id, payload);
        }
        finally
        {
            _active.Return(cipher);
            CryptographicOperations.ZeroMemory(plaintextBytes);
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>The opened text, or null when the envelope is malformed, its key unknown, or its tag wrong.</summary>
    public string? Open(string stored, SealedPlace place)
    {
        if (!stored.StartsWith(Envelope.Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = stored.AsSpan(Envelope.Prefix.Length);
        var colon = rest.IndexOf(':');
        if (colon <= 0
            || !int.TryParse(rest[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out var keyId)
            || !_keys.TryGetValue(keyId, out var key))
        {
            return null;
        }

        var text = rest[(colon + 1)..];
        if (!Base64Url.IsValid(text, out var payloadLength) || payloadLength < Envelope.NonceSize + Envelope.TagSize)
        {
            return null;
        }

        var plaintextLength = payloadLength - Envelope.NonceSize - Envelope.TagSize;
        var associatedDataLength = AssociatedDataByteCount(place);
        var needed = payloadLength + plaintextLength + associatedDataLength;
        byte[]? rented = null;
        var buffer = needed <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(needed));
        var payload = buffer[..payloadLength];
        var plaintextBytes = buffer.Slice(payloadLength, plaintextLength);
        var associatedData = buffer.Slice(payloadLength + plaintextLength, associatedDataLength);
        AesGcm? cipher = null;
        try
        {
            if (Base64Url.DecodeFromChars(text, payload, out _, out var written) != OperationStatus.Done
                || written != payloadLength
                || Base64Url.GetEncodedLength(payloadLength) != text.Length
                || !IsCanonical(text, payload))
            {
                return null;
            }

            WriteAssociatedData(place, associatedData);
            cipher = key.Rent();
            cipher.Decrypt(payload[..Envelope.NonceSize], payload.Slice(Envelope.NonceSize, plaintextLength), payload[(Envelope.NonceSize + plaintextLength)..], plaintextBytes, associatedData);
            return Encoding.UTF8.GetString(plaintextBytes);
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
        finally
        {
            if (cipher is not null)
            {
                key.Return(cipher);
            }

            CryptographicOperations.ZeroMemory(plaintextBytes);
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    public void Dispose()
    {
        foreach (var key in _keys.Values)
        {
            key.Dispose();
        }
    }

    private static int AssociatedDataByteCount(SealedPlace place) =>
        AssociatedDataPrefix.Length + Encoding.UTF8.GetByteCount(place.Table) + 1 + Encoding.UTF8.GetByteCount(place.Column) + 1 + Encoding.UTF8.GetByteCount(place.RowKey);

    /// <summary><c>secretadmin:&lt;table&gt;:&lt;column&gt;:&lt;rowKey&gt;</c> in UTF-8, as <see cref="SealedPlace.AssociatedData"/>.</summary>
    private static void WriteAssociatedData(SealedPlace place, Span<byte> destination)
    {
        var at = Encoding.UTF8.GetBytes(AssociatedDataPrefix, destination);
        at += Encoding.UTF8.GetBytes(place.Table, destination[at..]);
        destination[at++] = (byte)':';
        at += Encoding.UTF8.GetBytes(place.Column, destination[at..]);
        destination[at++] = (byte)':';
        Encoding.UTF8.GetBytes(place.RowKey, destination[at..]);
    }

    private static string Format(int keyId, ReadOnlySpan<byte> payload)
    {
        Span<char> id = stackalloc char[11];
        keyId.TryFormat(id, out var idLength, provider: CultureInfo.InvariantCulture);
        var length = Envelope.Prefix.Length + idLength + 1 + Base64Url.GetEncodedLength(payload.Length);
        Span<char> chars = length <= StackLimit ? stackalloc char[StackLimit] : new char[length];
        Envelope.Prefix.CopyTo(chars);
        id[..idLength].CopyTo(chars[Envelope.Prefix.Length..]);
        chars[Envelope.Prefix.Length + idLength] = ':';
        Base64Url.EncodeToChars(payload, chars[(Envelope.Prefix.Length + idLength + 1)..]);
        return new string(chars[..length]);
    }

    private static bool IsCanonical(ReadOnlySpan<char> text, ReadOnlySpan<byte> payload)
    {
        Span<char> canonical = text.Length <= StackLimit ? stackalloc char[StackLimit] : new char[text.Length];
        Base64Url.EncodeToChars(payload, canonical);
        return canonical[..text.Length].SequenceEqual(text);
    }

    /// <summary>A key's ciphers: one in a slot for the usual single caller, a bag for the rest.</summary>
    private sealed class KeyCiphers(int id, byte[] material) : IDisposable
    {
        private readonly ConcurrentBag<AesGcm> _overflow = [];
        private AesGcm? _slot;

        public int Id { get; } = id;

        public AesGcm Rent() =>
            Interlocked.Exchange(ref _slot, null)
            ?? (_overflow.TryTake(out var cipher) ? cipher : new AesGcm(material, Envelope.TagSize));

        public void Return(AesGcm cipher)
        {
            if (Interlocked.CompareExchange(ref _slot, cipher, null) is not null)
            {
                _overflow.Add(cipher);
            }
        }

        public void Dispose()
        {
            Interlocked.Exchange(ref _slot, null)?.Dispose();
            while (_overflow.TryTake(out var cipher))
            {
                cipher.Dispose();
            }
        }
    }
}
