using System.Security.Cryptography;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;
using ISession = Net.Pkcs11Interop.HighLevelAPI.ISession;
using SecretAdmin.Security;

namespace SecretAdmin.Features.Keys;

/// <summary>
/// Finds, generates and destroys master keys on a PKCS#11 token. The keys are AES-256, generated on
/// the token as private, sensitive and not extractable token objects, so the key itself is never
/// in this process; <see cref="Pkcs11MasterKey"/> has the token wrap and unwrap with it.
/// </summary>
public sealed class Pkcs11MasterKeys : IPkcs11MasterKeys
{
    private const int CkaIdSize = 16;
    private const ulong KeyBytes = 32;

    public IMasterKey? Open(Pkcs11MasterKeyOptions options, string? id)
    {
        var token = new Pkcs11Token(options);
        if (id is not null)
        {
            var ckaId = Pkcs11MasterKey.CkaIdOf(id);
            if (ckaId is null)
            {
                return null;
            }

            var count = token.Use(SessionType.ReadOnly, keyInUse: false, session => token.FindAesKeys(session, token.Attributes.Create(CKA.CKA_ID, ckaId)).Count);
            return count == 0 ? null : new Pkcs11MasterKey(token, ckaId);
        }

        var ids = token.Use(SessionType.ReadOnly, keyInUse: false, session =>
            token.FindAesKeys(session, token.Attributes.Create(CKA.CKA_LABEL, token.KeyLabel))
                .Select(key => session.GetAttributeValue(key, [CKA.CKA_ID])[0].GetValueAsByteArray() ?? [])
                .ToList());
        return ids.Count switch
        {
            0 => null,
            1 when ids[0].Length == 0 => throw new MasterKeyUnavailableException(
                $"The master key labelled '{token.KeyLabel}' on {token.Description} has no CKA_ID, so nothing can name it; generate the master key with SecretAdmin instead."),
            1 => new Pkcs11MasterKey(token, ids[0]),
            _ => throw new MasterKeyUnavailableException(
                $"{token.Description} holds {ids.Count} master keys labelled '{token.KeyLabel}' ({string.Join(", ", ids.Select(i => Pkcs11MasterKey.IdOf(i)))}); the database names the one that wraps its keys, so open the key by that id."),
        };
    }

    public IMasterKey Generate(Pkcs11MasterKeyOptions options)
    {
        var token = new Pkcs11Token(options);
        var ckaId = RandomNumberGenerator.GetBytes(CkaIdSize);
        var attributes = token.Attributes;
        token.Use(SessionType.ReadWrite, keyInUse: false, session =>
        {
            using var mechanism = Pkcs11Modules.Factories.MechanismFactory.Create(CKM.CKM_AES_KEY_GEN);
            return session.GenerateKey(mechanism,
            [
                attributes.Create(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY),
                attributes.Create(CKA.CKA_KEY_TYPE, CKK.CKK_AES),
                attributes.Create(CKA.CKA_VALUE_LEN, KeyBytes),
                attributes.Create(CKA.CKA_TOKEN, true),
                attributes.Create(CKA.CKA_PRIVATE, true),
                attributes.Create(CKA.CKA_SENSITIVE, true),
                attributes.Create(CKA.CKA_EXTRACTABLE, false),
                attributes.Create(CKA.CKA_ENCRYPT, true),
                attributes.Create(CKA.CKA_DECRYPT, true),
                attributes.Create(CKA.CKA_LABEL, token.KeyLabel),
                attributes.Create(CKA.CKA_ID, ckaId),
            ]);
        });
        return new Pkcs11MasterKey(token, ckaId);
    }

    public void Destroy(Pkcs11MasterKeyOptions options, string id)
    {
        var token = new Pkcs11Token(options);
        var ckaId = Pkcs11MasterKey.CkaIdOf(id);
        if (ckaId is null)
        {
            return;
        }

        token.Use(SessionType.ReadWrite, keyInUse: false, session =>
        {
            var keys = token.FindAesKeys(session, token.Attributes.Create(CKA.CKA_ID, ckaId));
            foreach (var key in keys)
            {
                session.DestroyObject(key);
            }

            return keys.Count;
        });
    }
}
