using System.Globalization;
using System.Security.Cryptography;
using System.Xml.Linq;
using Microsoft.EntityFrameworkCore;
using SecretAdmin.Data;
using SecretAdmin.Security;

namespace SecretAdmin.Features.Keys;

/// <summary>
/// Moves the stored session keys from one master key to another, for a master-key rotation: in the
/// caller's context and transaction, so the session keys change together with the data keys or not at all.
/// </summary>
public static class SessionKeyRewrap
{
    /// <summary>
    /// Re-encrypts every session key encrypted with <paramref name="from"/> with <paramref name="to"/>,
    /// updating the rows through <paramref name="db"/>; the caller saves and commits. Keys already
    /// encrypted with <paramref name="to"/> are left as they are, so a second run changes nothing.
    /// </summary>
    /// <returns>How many session keys were re-encrypted.</returns>
    /// <exception cref="CryptographicException">
    /// A session key is encrypted with neither master key, or does not open under <paramref name="from"/>
    /// (altered); nothing should be saved. The message names the row and master key ids, never material.
    /// </exception>
    public static async Task<int> RewrapAsync(SecretAdminDbContext db, IMasterKey from, IMasterKey to, CancellationToken cancellationToken)
    {
        var rewrapped = 0;
        foreach (var row in await db.SessionKeys.OrderBy(k => k.Id).ToListAsync(cancellationToken))
        {
            var xml = XElement.Parse(row.Xml);
            var changed = false;
            foreach (var encrypted in xml.Descendants(SessionKeyEncryption.ElementName).ToList())
            {
                var masterKeyId = SessionKeyEncryption.MasterKeyIdOf(encrypted);
                if (masterKeyId == to.Id)
                {
                    continue;
                }

                if (masterKeyId != from.Id)
                {
                    throw new CryptographicException(
                        $"Session key {row.FriendlyName ?? row.Id.ToString(CultureInfo.InvariantCulture)} (row {row.Id} of SessionKeys) is encrypted with master key {masterKeyId ?? "(none named)"}, " +
                        $"neither {from.Id} nor {to.Id}, so it cannot be moved to the new master key. Rotate with the master key it names loaded, " +
                        "or delete that row (sessions signed with it end; people sign in again).");
                }

                encrypted.ReplaceWith(SessionKeyEncryption.Encrypt(SessionKeyEncryption.Decrypt(encrypted, from), to));
                changed = true;
            }

            if (changed)
            {
                row.Xml = xml.ToString(SaveOptions.DisableFormatting);
                rewrapped++;
            }
        }

        return rewrapped;
    }
}
