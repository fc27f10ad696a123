using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using SecretAdmin.Data;
using SecretAdmin.Security;

namespace SecretAdmin.Features.Keys;

/// <summary>
/// The data keys in the database, each wrapped by the master key with its id bound as associated
/// data. Every change is one transaction that holds the write lock from its first statement, so
/// processes sharing the database agree on ids and counts.
/// </summary>
public sealed class DataKeyStore(IDbContextFactory<SecretAdminDbContext> dbContextFactory, TimeProvider timeProvider)
{
    /// <summary>What a data key's wrapping is bound to: its purpose and its id, so it cannot stand in for another key.</summary>
    public static byte[] AssociatedData(int id) => Encoding.ASCII.GetBytes($"SecretAdmin data key v1:{id}");

    public async Task<IReadOnlyList<DataKey>> ReadAllAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
        return await db.DataKeys.AsNoTracking().OrderBy(k => k.Id).ToListAsync(cancellationToken);
    }

    /// <summary>The keys unwrapped by <paramref name="master"/>, and the ids of those that do not open under it.</summary>
    /// <exception cref="MasterKeyUnavailableException">The master key does not answer.</exception>
    public static (IReadOnlyList<SealingKey> Opened, IReadOnlyList<int> DoNotOpen) Unwrap(IEnumerable<DataKey> keys, IMasterKey master)
    {
        var opened = new List<SealingKey>();
        var failed = new List<int>();
        foreach (var key in keys)
        {
            var material = master.Unwrap(key.Wrapped, AssociatedData(key.Id));
            if (material is { Length: SealingKey.SizeInBytes })
            {
                opened.Add(new SealingKey(key.Id, new DateTimeOffset(key.CreatedAtUtc, TimeSpan.Zero), material));
            }
            else
            {
                failed.Add(key.Id);
            }
        }

        return (opened, failed);
    }

    /// <summary>
    /// Adds a new random data key, wrapped by <paramref name="master"/>, with an id above every id in
    /// use or named by a stored value — the new active key. With <paramref name="onlyAfter"/>, adds one only while that key is still the
    /// newest (so two processes rolling past the same key add one key, not two); null when another did.
    /// </summary>
    public DataKey? Add(IMasterKey master, int? onlyAfter = null)
    {
        using var db = dbContextFactory.CreateDbContext();
        using var transaction = db.BeginWriteLockedTransaction();
        var newest = db.DataKeys.Max(k => (int?)k.Id) ?? 0;
        if (onlyAfter is { } after && newest != after)
        {
            return null;
        }

        // Above every id a stored value names too: a value whose key is gone must stay "unknown key",
        // never be taken for one sealed by a new key of the same id.
        var named = SealedValueCensus.TakeAsync(db, CancellationToken.None).GetAwaiter().GetResult().KeyIds;
        var id = Math.Max(newest, named.Count == 0 ? 0 : named[^1]) + 1;
        var material = RandomNumberGenerator.GetBytes(SealingKey.SizeInBytes);
        try
        {
            var key = new DataKey { Id = id, CreatedAtUtc = timeProvider.GetUtcNow().UtcDateTime, Wrapped = master.Wrap(material, AssociatedData(id)), MasterKeyId = master.Id };
            db.DataKeys.Add(key);
            db.SaveChanges();
            transaction.Commit();
            return key;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(material);
        }
    }

    /// <summary>
    /// Stores the keys of a key ring of an earlier version, wrapped by <paramref name="master"/>, in one
    /// transaction; false, storing nothing, when the database already holds data keys.
    /// </summary>
    public async Task<bool> ImportAsync(KeyRing ring, IMasterKey master, CancellationToken cancellationToken)
    {
        await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.BeginWriteLockedTransactionAsync(cancellationToken);
        if (await db.DataKeys.AnyAsync(cancellationToken))
        {
            return false;
        }

        foreach (var key in ring.Keys)
        {
            db.DataKeys.Add(new DataKey { Id = key.Id, CreatedAtUtc = key.CreatedUtc.UtcDateTime, Wrapped = master.Wrap(key.Material, AssociatedData(key.Id)), MasterKeyId = master.Id });
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>
    /// Wraps every data key anew under <paramref name="to"/>, and whatever <paramref name="alsoRewrap"/>
    /// re-wraps (the session keys), in one transaction: all are wrapped by the new key, or none.
    /// Takes as long as there are keys, whatever the number of sealed values.
    /// </summary>
    /// <exception cref="CryptographicException">A data key does not open under <paramref name="from"/>; nothing was changed.</exception>
    public async Task<int> RewrapAsync(IMasterKey from, IMasterKey to, Func<SecretAdminDbContext, IMasterKey, IMasterKey, CancellationToken, Task<int>>? alsoRewrap, CancellationToken cancellationToken)
    {
        await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.BeginWriteLockedTransactionAsync(cancellationToken);
        var keys = await db.DataKeys.OrderBy(k => k.Id).ToListAsync(cancellationToken);
        foreach (var key in keys)
        {
            var material = from.Unwrap(key.Wrapped, AssociatedData(key.Id))
                ?? throw new CryptographicException($"Data key {key.Id} does not open under {from.Source}; nothing was re-wrapped.");
            try
            {
                key.Wrapped = to.Wrap(material, AssociatedData(key.Id));
                key.MasterKeyId = to.Id;
            }
            finally
            {
                CryptographicOperations.ZeroMemory(material);
            }
        }

        var others = alsoRewrap is null ? 0 : await alsoRewrap(db, from, to, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return keys.Count + others;
    }

    public async Task DeleteAsync(int id, CancellationToken cancellationToken)
    {
        await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
        await db.DataKeys.Where(k => k.Id == id).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>
    /// Reserves up to <paramref name="block"/> more seals of key <paramref name="id"/>, never past
    /// <paramref name="limit"/>, and counts them at once (durably, before any is made). Returns how
    /// many were granted: 0 when the key has reached its limit or is gone.
    /// </summary>
    public long Reserve(int id, long block, long limit)
    {
        using var db = dbContextFactory.CreateDbContext();
        using var transaction = db.BeginWriteLockedTransaction();
        var key = db.DataKeys.SingleOrDefault(k => k.Id == id);
        if (key is null || key.Seals >= limit)
        {
            return 0;
        }

        var granted = Math.Min(block, limit - key.Seals);
        key.Seals += granted;
        db.SaveChanges();
        transaction.Commit();
        return granted;
    }
}
