using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.EntityFrameworkCore;
using SecretAdmin.Data;

namespace SecretAdmin.Features.Keys;

/// <summary>
/// Where Data Protection keeps its keys (they sign session and antiforgery cookies): the
/// <c>SessionKeys</c> table, so every process and node on the database shares them and a restart
/// keeps people signed in. The secret part of each key arrives here already encrypted with the
/// master key (<see cref="SessionKeyXmlEncryptor"/>).
/// </summary>
public sealed class SessionKeyXmlRepository(Lazy<IDbContextFactory<SecretAdminDbContext>> dbContextFactory) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var db = dbContextFactory.Value.CreateDbContext();
        return db.SessionKeys.AsNoTracking().OrderBy(k => k.Id).Select(k => k.Xml).AsEnumerable().Select(xml => XElement.Parse(xml)).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var db = dbContextFactory.Value.CreateDbContext();
        db.SessionKeys.Add(new StoredSessionKey { FriendlyName = friendlyName, Xml = element.ToString(SaveOptions.DisableFormatting) });
        db.SaveChanges();
    }
}
