using System.Security.Cryptography;
using System.Text;

namespace SecretAdmin.Security;

/// <summary>A master key held in this process's memory: read from the master key file or from the environment.</summary>
public sealed class AesMasterKey : IMasterKey
{
    public const int SizeInBytes = 32;

    private static readonly byte[] IdLabel = Encoding.ASCII.GetBytes("SecretAdmin master key id v1");

    private readonly AesGcm _cipher;
    private readonly Lock _lock = new();

    /// <param name="idPrefix">What <see cref="Id"/> starts with: <c>file</c> or <c>environment</c>.</param>
    public AesMasterKey(ReadOnlySpan<byte> material, string idPrefix, string source)
    {
        if (material.Length != SizeInBytes)
        {
            throw new ArgumentException($"A master key is {SizeInBytes} bytes.", nameof(material));
        }

        _cipher = new AesGcm(material, Envelope.TagSize);
        Id = $"{idPrefix}:{Fingerprint(material)}";
        Source = source;
    }

    public string Id { get; }

    public string Source { get; }

    /// <summary>
    /// The first 8 bytes of HMAC-SHA256 over a fixed label, in hex: names the key in messages and
    /// beside what it wraps without telling anything about it.
    /// </summary>
    public static string Fingerprint(ReadOnlySpan<byte> material) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(material, IdLabel).AsSpan(0, 8));

    public byte[] Wrap(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        var wrapped = new byte[Envelope.NonceSize + plaintext.Length + Envelope.TagSize];
        var nonce = wrapped.AsSpan(0, Envelope.NonceSize);
        RandomNumberGenerator.Fill(nonce);
        lock (_lock)
        {
            _cipher.Encrypt(nonce, plaintext, wrapped.AsSpan(Envelope.NonceSize, plaintext.Length), wrapped.AsSpan(Envelope.NonceSize + plaintext.Length), associatedData);
        }

        return wrapped;
    }

    public byte[]? Unwrap(ReadOnlySpan<byte> wrapped, ReadOnlySpan<byte> associatedData)
    {
        var length = wrapped.Length - Envelope.NonceSize - Envelope.TagSize;
        if (length < 0)
        {
            return null;
        }

        var plaintext = new byte[length];
        try
        {
            lock (_lock)
            {
                _cipher.Decrypt(wrapped[..Envelope.NonceSize], wrapped.Slice(Envelope.NonceSize, length), wrapped[(Envelope.NonceSize + length)..], plaintext, associatedData);
            }

            return plaintext;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }

    public void Dispose() => _cipher.Dispose();

    public override string ToString() => $"master key {Id}";
}
