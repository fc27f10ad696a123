using Microsoft.EntityFrameworkCore;
using SecretAdmin.Security;

namespace SecretAdmin.Data;

/// <summary>How many stored envelopes each key id seals, per sealed column — counted in SQL, never opened.</summary>
public sealed class SealedValueCensus
{
    private SealedValueCensus(IReadOnlyList<Entry> entries)
    {
        Entries = entries;
    }

    public IReadOnlyList<Entry> Entries { get; }

    public long Total => Entries.Sum(e => e.Count);

    public IReadOnlyList<int> KeyIds => Entries.Select(e => e.KeyId).Distinct().Order().ToArray();

    public long CountFor(int keyId) => Entries.Where(e => e.KeyId == keyId).Sum(e => e.Count);

    public static async Task<SealedValueCensus> TakeAsync(SecretAdminDbContext db, CancellationToken cancellationToken)
    {
        var entries = new List<Entry>();
        foreach (var column in SealedColumn.AllIn(db.Model))
        {
            // Key ids are read from the envelope's text; a value whose key id is not canonical is
            // malformed, references no key, and is reported by verify rather than here.
            var c = $"\"{column.Column}\"";
            var sql = $"""
                SELECT {db.Engine.EnvelopeKeyIdSql(c)} AS "KeyId", COUNT(*) AS "Count"
                FROM "{column.Table}"
                WHERE substr({c}, 1, 4) = '{Envelope.Prefix}'
                GROUP BY 1
                """;
            var rows = await db.Database.SqlQueryRaw<KeyIdCount>(sql).ToListAsync(cancellationToken);
            foreach (var row in rows)
            {
                if (Envelope.TryParseKeyId(row.KeyId, out var keyId))
                {
                    entries.Add(new Entry(column, keyId, row.Count));
                }
            }
        }

        return new SealedValueCensus(entries);
    }

    public sealed record Entry(SealedColumn Column, int KeyId, long Count);

    private sealed record KeyIdCount(string? KeyId, long Count);
}
