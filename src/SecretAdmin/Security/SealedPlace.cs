using System.Text;

namespace SecretAdmin.Security;

/// <summary>
/// Where a sealed value lives — its table, column and row key, as SQL names — and, for a secret
/// that authenticates somewhere, the <see cref="SecretDestination"/> it may be sent to. The place
/// is the envelope's associated data, so an envelope copied into another row or column, or a row
/// whose destination was changed, does not open.
/// </summary>
public readonly record struct SealedPlace(string Table, string Column, string RowKey, string? Destination = null)
{
    private const string AssociatedDataPrefix = "secretadmin:";

    public string AssociatedData => Destination is null
        ? $"{AssociatedDataPrefix}{Table}:{Column}:{RowKey}"
        : $"{AssociatedDataPrefix}{Table}:{Column}:{RowKey}:{Destination}";

    /// <summary>The same place, bound to <paramref name="destination"/> (null: to the row alone).</summary>
    public SealedPlace BoundTo(string? destination) => this with { Destination = destination };

    /// <summary>The UTF-8 length of <see cref="AssociatedData"/>, counted from its parts.</summary>
    internal int AssociatedDataByteCount =>
        AssociatedDataPrefix.Length
        + Encoding.UTF8.GetByteCount(Table) + 1
        + Encoding.UTF8.GetByteCount(Column) + 1
        + Encoding.UTF8.GetByteCount(RowKey)
        + (Destination is null ? 0 : 1 + Encoding.UTF8.GetByteCount(Destination));

    /// <summary>
    /// Writes <see cref="AssociatedData"/> in UTF-8 from its parts (no string is built: the sealer
    /// calls this for every seal and open); <paramref name="bytes"/> holds at least
    /// <see cref="AssociatedDataByteCount"/> bytes.
    /// </summary>
    internal int WriteAssociatedData(Span<byte> bytes)
    {
        var at = Encoding.UTF8.GetBytes(AssociatedDataPrefix, bytes);
        at += Encoding.UTF8.GetBytes(Table, bytes[at..]);
        bytes[at++] = (byte)':';
        at += Encoding.UTF8.GetBytes(Column, bytes[at..]);
        bytes[at++] = (byte)':';
        at += Encoding.UTF8.GetBytes(RowKey, bytes[at..]);
        if (Destination is not null)
        {
            bytes[at++] = (byte)':';
            at += Encoding.UTF8.GetBytes(Destination, bytes[at..]);
        }

        return at;
    }

    public override string ToString() => AssociatedData;
}
