using System.Text;

namespace SecretAdmin.Security;

/// <summary>
/// Where a sealed value lives: its table, column and row key, as SQL names. The place is the
/// envelope's associated data, so an envelope copied into another row or column does not open.
/// </summary>
public readonly record struct SealedPlace(string Table, string Column, string RowKey)
{
    public string AssociatedData => $"secretadmin:{Table}:{Column}:{RowKey}";

    internal int WriteAssociatedData(Span<byte> destination) =>
        Encoding.UTF8.GetBytes(AssociatedData, destination);

    internal int AssociatedDataByteCount => Encoding.UTF8.GetByteCount(AssociatedData);

    public override string ToString() => AssociatedData;
}
