using System.Security.Cryptography;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;
using ISession = Net.Pkcs11Interop.HighLevelAPI.ISession;
using SecretAdmin.Security;

namespace SecretAdmin.Features.Keys;

/// <summary>
/// A master key that never leaves its PKCS#11 token: wrapping and unwrapping run inside the token
/// with CKM_AES_GCM, in the same format as <see cref="AesMasterKey"/> (nonce ‖ ciphertext ‖ tag), so
/// what one wraps reads the same whichever kind of master key wrapped it. Each call talks to the
/// token — no result is kept — so a token removed while the app runs is noticed on the next call.
/// </summary>
public sealed class Pkcs11MasterKey : IMasterKey
{
    public const string IdPrefix = "pkcs11:";

    private const int TagBits = Envelope.TagSize * 8;

    private readonly Pkcs11Token _token;
    private readonly byte[] _ckaId;
    private volatile bool _disposed;

    internal Pkcs11MasterKey(Pkcs11Token token, byte[] ckaId)
    {
        _token = token;
        _ckaId = ckaId;
        Id = IdOf(ckaId);
    }

    /// <summary><c>pkcs11:</c> and the key's CKA_ID in hex.</summary>
    public string Id { get; }

    public string Source => _token.Description;

    /// <summary>The id of the key whose CKA_ID is <paramref name="ckaId"/>.</summary>
    public static string IdOf(ReadOnlySpan<byte> ckaId) => IdPrefix + Convert.ToHexStringLower(ckaId);

    /// <summary>The CKA_ID an id names, or null when it is not a PKCS#11 master key id.</summary>
    public static byte[]? CkaIdOf(string id)
    {
        if (!id.StartsWith(IdPrefix, StringComparison.Ordinal) || id.Length == IdPrefix.Length)
        {
            return null;
        }

        try
        {
            return Convert.FromHexString(id.AsSpan(IdPrefix.Length));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    public byte[] Wrap(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var nonce = RandomNumberGenerator.GetBytes(Envelope.NonceSize);
        var input = plaintext.ToArray();
        var (parameters, mechanism) = Gcm(nonce, associatedData);
        try
        {
            var sealedPart = _token.Use(SessionType.ReadOnly, keyInUse: true, session => session.Encrypt(mechanism, FindKey(session), input));
            if (sealedPart.Length != input.Length + Envelope.TagSize)
            {
                throw _token.Unanswered($"C_Encrypt returned {sealedPart.Length} bytes for {input.Length}, not the ciphertext and a {Envelope.TagSize}-byte tag");
            }

            return [.. nonce, .. sealedPart];
        }
        finally
        {
            CryptographicOperations.ZeroMemory(input);
            mechanism.Dispose();
            parameters.Dispose();
        }
    }

    public byte[]? Unwrap(ReadOnlySpan<byte> wrapped, ReadOnlySpan<byte> associatedData)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (wrapped.Length < Envelope.NonceSize + Envelope.TagSize)
        {
            return null;
        }

        var (parameters, mechanism) = Gcm(wrapped[..Envelope.NonceSize].ToArray(), associatedData);
        using var disposeParameters = parameters;
        using var disposeMechanism = mechanism;
        var sealedPart = wrapped[Envelope.NonceSize..].ToArray();
        return _token.Use(SessionType.ReadOnly, keyInUse: true, session =>
        {
            var key = FindKey(session);
            try
            {
                return session.Decrypt(mechanism, key, sealedPart);
            }
            catch (Pkcs11Exception e) when (e.RV is CKR.CKR_ENCRYPTED_DATA_INVALID or CKR.CKR_ENCRYPTED_DATA_LEN_RANGE)
            {
                return null;
            }
            catch (Pkcs11Exception e) when (e.RV == CKR.CKR_GENERAL_ERROR)
            {
                // SoftHSM2 reports a GCM tag that does not match as CKR_GENERAL_ERROR. The value did not
                // open if the token still answers and still holds the key; otherwise the token failed.
                FindKey(session);
                return null;
            }
        });
    }

    public void Dispose() => _disposed = true;

    public override string ToString() => $"master key {Id}";

    private IObjectHandle FindKey(ISession session)
    {
        var found = _token.FindAesKeys(session, _token.Attributes.Create(CKA.CKA_ID, _ckaId));
        return found.Count switch
        {
            1 => found[0],
            0 => throw _token.Unanswered($"the master key {Id} is no longer on the token"),
            _ => throw new MasterKeyUnavailableException(
                $"{_token.Description} holds {found.Count} AES keys with the id of master key {Id}; keep only the one SecretAdmin generated (the HSM's tool lists them)."),
        };
    }

    /// <summary>CKM_AES_GCM with its parameters; the parameters hold the unmanaged nonce and associated data the mechanism points to, so both live until the operation ends.</summary>
    private static (IDisposable Parameters, IMechanism Mechanism) Gcm(byte[] nonce, ReadOnlySpan<byte> associatedData)
    {
        var factories = Pkcs11Modules.Factories;
        var parameters = factories.MechanismParamsFactory.CreateCkGcmParams(nonce, (ulong)nonce.Length * 8, associatedData.ToArray(), TagBits);
        return (parameters, factories.MechanismFactory.Create(CKM.CKM_AES_GCM, parameters));
    }
}
