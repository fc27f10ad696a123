using System.Text;

namespace SecretAdmin.Security;

/// <summary>
/// Where a sealed value lives: its table, column and row key, as SQL names. The place is the
/// envelope's associated data, so an envelope copied into another row or column does not open.
/// </summary>
public readonly record struct SealedPlace(string Table, string Column, string RowKey)
{
    private const string AssociatedDataPrefix = "secretadmin:";

    public string AssociatedData => $"{AssociatedDataPrefix}{Table}:{Column}:{RowKey}";

    /// <summary>The UTF-8 length of <see cref="AssociatedData"/>, counted from its parts.</summary>
    internal int AssociatedDataByteCount =>
        AssociatedDataPrefix.Length
        + Encoding.UTF8.GetByteCount(Table) + 1
        + Encoding.UTF8.GetByteCount(Column) + 1
        + Encoding.UTF8.GetByteCount(RowKey);

    /// <summary>
    /// Writes <see cref="AssociatedData"/> in UTF-8 from its parts (no string is built: the sealer
    /// calls this for every seal and open); <paramref name="destination"/> holds at least
    /// <see cref="AssociatedDataByteCount"/> bytes.
    /// </summary>
    internal int WriteAssociatedData(Span<byte> destination)
    {
        var at = Encoding.UTF8.GetBytes(AssociatedDataPrefix, destination);
        at += Encoding.UTF8.GetBytes(Table, destination[at..]);
        destination[at++] = (byte)':';
        at += Encoding.UTF8.GetBytes(Column, destination[at..]);
        destination[at++] = (byte)':';
        return at + Encoding.UTF8.GetBytes(RowKey, destination[at..]);
    }

    public override string ToString() => AssociatedData;
}
