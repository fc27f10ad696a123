using System.Security.Cryptography;

namespace SecretAdmin.Security;

/// <summary>
/// Random 96-bit GCM nonces from the system's cryptographic generator, drawn 64 at a time per
/// thread: one call into the generator per 64 seals instead of one per seal. Each nonce is handed
/// out once, and its bytes are cleared from the buffer as it goes.
/// </summary>
internal static class NonceSource
{
    private const int NoncesPerDraw = 64;

    [ThreadStatic]
    private static byte[]? t_buffer;

    [ThreadStatic]
    private static int t_next;

    public static void Fill(Span<byte> nonce)
    {
        if (nonce.Length != Envelope.NonceSize)
        {
            throw new ArgumentException($"A nonce is {Envelope.NonceSize} bytes.", nameof(nonce));
        }

        var buffer = t_buffer ??= new byte[Envelope.NonceSize * NoncesPerDraw];
        if (t_next == 0)
        {
            RandomNumberGenerator.Fill(buffer);
        }

        var taken = buffer.AsSpan(t_next, Envelope.NonceSize);
        taken.CopyTo(nonce);
        taken.Clear();
        t_next = (t_next + Envelope.NonceSize) % buffer.Length;
    }
}
