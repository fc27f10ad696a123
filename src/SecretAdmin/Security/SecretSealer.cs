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
/// <param name="refresh">Asked once for a key id an envelope names and the loaded keys lack, before the value is called unreadable.</param>
public sealed class SecretSealer(IOptions<SealingOptions> options, ISealAllowance? allowance = null, IKeyRingRefresh? refresh = null) : IDisposable
{
    /// <summary>Seals and opens whose payload, plaintext and associated data fit here use a stack buffer.</summary>
    private const int StackBytes = 256;

    /// <summary>Prefixed to a fingerprint's purpose in its key derivation, so no fingerprint key equals a sealing key or another purpose's.</summary>
    private const string FingerprintLabel = "SecretAdmin fingerprint v1: ";

    private readonly bool _allowLegacyPlaintext = options.Value.AllowLegacyPlaintext;
    private volatile LoadedRing? _ring;
    private volatile string _unavailable = "the data keys have not been loaded; start-up did not complete";

    public bool IsLoaded => _ring is not null;

    /// <summary>Why no secret can be sealed or opened now, or null when the keys are loaded.</summary>
    public string? Unavailable => _ring is null ? _unavailable : null;

    /// <summary>The key ring in use.</summary>
    /// <exception cref="MasterKeyUnavailableException">No key ring is loaded (see <see cref="Unavailable"/>).</exception>
    public KeyRing KeyRing => Ring.KeyRing;

    /// <summary>
    /// The key ring in use, or null while none is loaded (see <see cref="Unavailable"/>): for callers that
    /// must answer either way, since the ring can be dropped between a check of <see cref="IsLoaded"/> and a read.
    /// </summary>
    public KeyRing? LoadedKeyRing => _ring?.KeyRing;

    private LoadedRing Ring => _ring ?? throw new MasterKeyUnavailableException(_unavailable);

    /// <summary>Makes <paramref name="ring"/> the key ring for every later seal and open.</summary>
    public void Use(KeyRing ring)
    {
        var previous = Interlocked.Exchange(ref _ring, new LoadedRing(ring));
        previous?.Dispose();
    }

    /// <summary>
    /// Drops the keys: until <see cref="Use"/> loads them again, every open is unreadable with
    /// <paramref name="reason"/> and every seal throws — fail closed while the master key is unavailable.
    /// </summary>
    public void Suspend(string reason)
    {
        _unavailable = reason;
        Interlocked.Exchange(ref _ring, null)?.Dispose();
    }

    public string Seal(string plaintext, SealedPlace place) =>
        Seal(plaintext, place, nonce: null);

    /// <summary>Seals with a given nonce: for the documented test vector only, never for stored values.</summary>
    internal string Seal(string plaintext, SealedPlace place, ReadOnlySpan<byte> nonce)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        using var buffer = new WorkBuffer(stackalloc byte[StackBytes], Encoding.UTF8.GetByteCount(plaintext), place.AssociatedDataByteCount);
        Encoding.UTF8.GetBytes(plaintext, buffer.Plaintext);
        return SealBuffer(buffer, place, nonce);
    }

    /// <summary>Opens a stored value: unset (null), present, or unreadable with a reason — never an exception.</summary>
    public SecretRead Open(string? stored, SealedPlace place) =>
        stored is null
            ? SecretRead.Unset
            : OpenWith(stored, place, 0, static (plaintext, keyId, _) => new SecretRead.PresentSecret(Encoding.UTF8.GetString(plaintext), keyId), static unreadable => (SecretRead)unreadable);

    /// <summary>
    /// Opens a stored secret for the code that sends it to <paramref name="place"/>'s destination:
    /// unreadable, without decrypting, when the secret was sealed for another destination or for none.
    /// </summary>
    public SecretRead Open(SealedSecret secret, SealedPlace place) =>
        UnboundOrMoved(secret, place) ?? Open(secret.Envelope, place);

    /// <summary>What a page or command may know of a stored secret; its plaintext is opened into a buffer that is cleared, never into a string.</summary>
    public SecretStatus Status(SealedSecret secret, SealedPlace place)
    {
        SecretStatus status = secret.Envelope is null
            ? new SecretStatus.NotSet()
            : UnboundOrMoved(secret, place) is { } refused
                ? new SecretStatus.Unreadable(refused.Reason, refused.Description)
                : OpenWith<SealedSecret, SecretStatus>(
                    secret.Envelope,
                    place,
                    secret,
                    static (_, _, stored) => new SecretStatus.Set(stored.UpdatedAtUtc, stored.UpdatedBy),
                    static unreadable => new SecretStatus.Unreadable(unreadable.Reason, unreadable.Description));
        return status with { BoundTo = secret.Destination };
    }

    /// <summary>
    /// Opens <paramref name="stored"/> at <paramref name="from"/> and seals it under the active key
    /// for <paramref name="to"/>, the plaintext never becoming a string; null when it does not open
    /// (legacy plaintext included: importing it is a decision of its own).
    /// </summary>
    public string? Reseal(string stored, SealedPlace from, SealedPlace to) =>
        Envelope.HasPrefix(stored)
            ? OpenWith(stored, from, (Sealer: this, To: to), static (plaintext, _, state) => state.Sealer.SealBytes(plaintext, state.To), static _ => (string?)null)
            : null;

    /// <summary>
    /// A keyed fingerprint of <paramref name="value"/> for one <paramref name="purpose"/>: HMAC-SHA256
    /// under a key derived from the active data key, so every node with the same active key computes
    /// the same one, and a stolen database cannot be searched for a guessed value. It changes when the
    /// active key rotates. Null while no key ring is loaded.
    /// </summary>
    public string? Fingerprint(string value, string purpose)
    {
        if (_ring is not { } ring)
        {
            return null;
        }

        var active = ring.KeyRing.Active;
        Span<byte> key = stackalloc byte[SealingKey.SizeInBytes];
        try
        {
            HKDF.DeriveKey(HashAlgorithmName.SHA256, active.Material, key, salt: [], info: Encoding.UTF8.GetBytes(FingerprintLabel + purpose));
            return $"{active.Id}:{Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(value)))}";
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    private string SealBytes(ReadOnlySpan<byte> plaintext, SealedPlace place)
    {
        using var buffer = new WorkBuffer(stackalloc byte[StackBytes], plaintext.Length, place.AssociatedDataByteCount);
        plaintext.CopyTo(buffer.Plaintext);
        return SealBuffer(buffer, place, nonce: default);
    }

    /// <summary>Seals the plaintext already in <paramref name="buffer"/> under the active key; an empty <paramref name="nonce"/> draws a fresh one.</summary>
    private string SealBuffer(in WorkBuffer buffer, SealedPlace place, ReadOnlySpan<byte> nonce)
    {
        var key = TakeActiveKey();
        var payload = buffer.Payload;
        var plaintextLength = buffer.Plaintext.Length;
        var payloadNonce = payload[..Envelope.NonceSize];
        if (nonce.IsEmpty)
        {
            NonceSource.Fill(payloadNonce);
        }
        else
        {
            nonce.CopyTo(payloadNonce);
        }

        var cipher = key.Rent();
        try
        {
            place.WriteAssociatedData(buffer.AssociatedData);
            cipher.Encrypt(
                payloadNonce,
                buffer.Plaintext,
                payload.Slice(Envelope.NonceSize, plaintextLength),
                payload[(Envelope.NonceSize + plaintextLength)..],
                buffer.AssociatedData);
            return Envelope.Format(key.Id, payload);
        }
        finally
        {
            key.Return(cipher);
        }
    }

    /// <summary>The active key, one seal of it counted; a key at its limit is rolled over to a new one first.</summary>
    private KeyCiphers TakeActiveKey()
    {
        var ring = Ring;
        if (allowance is null)
        {
            return ring.Active;
        }

        // Another process may roll at the same moment; a few turns always reach a key with room.
        for (var turn = 0; turn < 8; turn++)
        {
            if (allowance.TryTake(ring.Active.Id))
            {
                return ring.Active;
            }

            var rolled = allowance.Roll(ring.Active.Id);
            if (rolled.Active.Id != ring.Active.Id)
            {
                Use(rolled);
            }

            ring = Ring;
        }

        throw new MasterKeyUnavailableException("no data key with seals left could be made active; see the log");
    }

    /// <summary>
    /// Why a stored secret must not be opened for <paramref name="place"/>'s destination, or null
    /// when it may be: sealed for no destination where one is needed (from before binding), or for
    /// another destination than the one stored beside it now.
    /// </summary>
    private static SecretRead.UnreadableSecret? UnboundOrMoved(SealedSecret secret, SealedPlace place) =>
        secret.Envelope is null || string.Equals(secret.Destination, place.Destination, StringComparison.Ordinal)
            ? null
            : new SecretRead.UnreadableSecret(
                secret.Destination is null ? UnreadableReason.Unbound : UnreadableReason.DestinationChanged,
                Envelope.TryParse(secret.Envelope, out var keyId, out _, out _) ? keyId : null);

    private delegate TResult PlaintextUse<in TState, out TResult>(ReadOnlySpan<byte> plaintext, int? keyId, TState state);

    /// <summary>
    /// Opens <paramref name="stored"/> into a buffer that is cleared afterwards and hands the
    /// plaintext bytes to <paramref name="use"/>, or the reason it does not open to <paramref name="unreadable"/>.
    /// </summary>
    private TResult OpenWith<TState, TResult>(
        string stored,
        SealedPlace place,
        TState state,
        PlaintextUse<TState, TResult> use,
        Func<SecretRead.UnreadableSecret, TResult> unreadable)
    {
        if (!Envelope.HasPrefix(stored))
        {
            if (stored.Length == 0 || Envelope.LooksLikeEnvelope(stored))
            {
                return unreadable(new SecretRead.UnreadableSecret(UnreadableReason.Malformed, keyId: null));
            }

            return _allowLegacyPlaintext
                ? use(Encoding.UTF8.GetBytes(stored), null, state)
                : unreadable(new SecretRead.UnreadableSecret(UnreadableReason.LegacyPlaintext, keyId: null));
        }

        if (!Envelope.TryParse(stored, out var keyId, out var payloadText, out var payloadLength))
        {
            return unreadable(new SecretRead.UnreadableSecret(UnreadableReason.Malformed, keyId: null));
        }

        if (_ring is not { } ring)
        {
            return unreadable(new SecretRead.UnreadableSecret(UnreadableReason.MasterKeyUnavailable, keyId));
        }

        if (!ring.TryGetKey(keyId, out var key))
        {
            // Perhaps sealed by another process with a key added since the keys were read here.
            refresh?.RefreshFor(keyId);
            if (_ring is not { } reloaded || !reloaded.TryGetKey(keyId, out key))
            {
                return unreadable(new SecretRead.UnreadableSecret(UnreadableReason.UnknownKeyId, keyId));
            }
        }

        var plaintextLength = payloadLength - Envelope.NonceSize - Envelope.TagSize;
        using var buffer = new WorkBuffer(stackalloc byte[StackBytes], plaintextLength, place.AssociatedDataByteCount);
        var payload = buffer.Payload;
        var plaintextBytes = buffer.Plaintext;
        var associatedData = buffer.AssociatedData;
        if (!Envelope.TryDecodePayload(payloadText, payload))
        {
            return unreadable(new SecretRead.UnreadableSecret(UnreadableReason.Malformed, keyId: null));
        }

        var cipher = key.Rent();
        try
        {
            place.WriteAssociatedData(associatedData);
            cipher.Decrypt(
                payload[..Envelope.NonceSize],
                payload.Slice(Envelope.NonceSize, plaintextLength),
                payload[(Envelope.NonceSize + plaintextLength)..],
                plaintextBytes,
                associatedData);
        }
        catch (AuthenticationTagMismatchException)
        {
            return unreadable(new SecretRead.UnreadableSecret(UnreadableReason.AuthenticationFailed, keyId));
        }
        catch (ArgumentException)
        {
            return unreadable(new SecretRead.UnreadableSecret(UnreadableReason.Malformed, keyId));
        }
        finally
        {
            key.Return(cipher);
        }

        return use(plaintextBytes, keyId, state);
    }

    public void Dispose() => Interlocked.Exchange(ref _ring, null)?.Dispose();

    /// <summary>
    /// The bytes of one seal or open: payload (nonce ‖ ciphertext ‖ tag), plaintext, associated
    /// data — in the caller's stack buffer when they fit, else in a rented array. Disposing clears
    /// the plaintext and gives the array back.
    /// </summary>
    private readonly ref struct WorkBuffer
    {
        private readonly byte[]? _rented;
        private readonly Span<byte> _bytes;
        private readonly int _plaintextLength;
        private readonly int _associatedDataLength;

        public WorkBuffer(Span<byte> stack, int plaintextLength, int associatedDataLength)
        {
            var needed = Envelope.PayloadLength(plaintextLength) + plaintextLength + associatedDataLength;
            _bytes = needed <= stack.Length ? stack : (_rented = ArrayPool<byte>.Shared.Rent(needed));
            _plaintextLength = plaintextLength;
            _associatedDataLength = associatedDataLength;
        }

        public Span<byte> Payload => _bytes[..Envelope.PayloadLength(_plaintextLength)];

        public Span<byte> Plaintext => _bytes.Slice(Envelope.PayloadLength(_plaintextLength), _plaintextLength);

        public Span<byte> AssociatedData => _bytes.Slice(Envelope.PayloadLength(_plaintextLength) + _plaintextLength, _associatedDataLength);

        public void Dispose()
        {
            CryptographicOperations.ZeroMemory(Plaintext);
            if (_rented is not null)
            {
                ArrayPool<byte>.Shared.Return(_rented);
            }
        }
    }

    /// <summary>A key ring with each key's ciphers, looked up once when the ring is loaded.</summary>
    private sealed class LoadedRing : IDisposable
    {
        private readonly Dictionary<int, KeyCiphers> _keys;

        public LoadedRing(KeyRing keyRing)
        {
            KeyRing = keyRing;
            _keys = keyRing.Keys.ToDictionary(k => k.Id, k => new KeyCiphers(k));
            Active = _keys[keyRing.Active.Id];
        }

        public KeyRing KeyRing { get; }

        public KeyCiphers Active { get; }

        public bool TryGetKey(int id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out KeyCiphers? key) =>
            _keys.TryGetValue(id, out key);

        public void Dispose()
        {
            foreach (var key in _keys.Values)
            {
                key.Dispose();
            }
        }
    }

    /// <summary>
    /// One key's <see cref="AesGcm"/> instances. An instance is not thread-safe off Windows, so each
    /// operation takes one for itself: the one in the slot (one atomic exchange, what a single
    /// caller always finds), or, while other callers hold it, one from the overflow or a new one.
    /// </summary>
    private sealed class KeyCiphers(SealingKey key) : IDisposable
    {
        private readonly ConcurrentBag<AesGcm> _overflow = [];
        private AesGcm? _slot;

        public int Id => key.Id;

        public AesGcm Rent() =>
            Interlocked.Exchange(ref _slot, null)
            ?? (_overflow.TryTake(out var cipher) ? cipher : new AesGcm(key.Material, Envelope.TagSize));

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
