using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using SecretAdmin.Security;

namespace SecretAdmin.Data;

/// <summary>
/// A column that holds sealed envelopes, named as SQL names it, with the key column of its table,
/// the column that holds each secret's <see cref="SealedSecret.Destination"/>, and what it is bound to.
/// </summary>
public sealed record SealedColumn(string Table, string Column, string KeyColumn, string DestinationColumn, SecretBinding Binding)
{
    public const string Annotation = "SecretAdmin:Sealed";

    /// <summary>
    /// The place of this column's value in the row with primary key <paramref name="rowKey"/>,
    /// bound to <paramref name="destination"/> as stored beside it.
    /// </summary>
    public SealedPlace At(object rowKey, string? destination = null) =>
        new(Table, Column, Convert.ToString(rowKey, System.Globalization.CultureInfo.InvariantCulture)!, destination);

    /// <summary>Every sealed secret's envelope column in the model (<see cref="SealedColumnBuilderExtensions.HasSealedSecret"/>).</summary>
    public static IReadOnlyList<SealedColumn> AllIn(IModel model) =>
        model.GetEntityTypes()
            .SelectMany(entity => entity.GetFlattenedProperties())
            .Where(property => property.FindAnnotation(Annotation) is not null)
            .Select(Of)
            .OrderBy(c => c.Table, StringComparer.Ordinal)
            .ThenBy(c => c.Column, StringComparer.Ordinal)
            .ToArray();

    /// <summary>The sealed column of <typeparamref name="TEntity"/>'s sealed secret <paramref name="secretName"/>.</summary>
    public static SealedColumn For<TEntity>(IModel model, string secretName) =>
        model.FindEntityType(typeof(TEntity))?.FindComplexProperty(secretName)?.ComplexType.FindProperty(nameof(SealedSecret.Envelope)) is { } property
        && property.FindAnnotation(Annotation) is not null
            ? Of(property)
            : throw new InvalidOperationException($"{typeof(TEntity).Name}.{secretName} is not a sealed secret.");

    public static SealedColumn Of(IProperty property)
    {
        var entity = property.DeclaringType.ContainingEntityType;
        var table = entity.GetTableName()
            ?? throw new InvalidOperationException($"{entity.DisplayName()} is not mapped to a table.");
        var tableId = StoreObjectIdentifier.Table(table, entity.GetSchema());
        var key = entity.FindPrimaryKey() is { Properties: [var keyProperty] }
            ? keyProperty
            : throw new InvalidOperationException($"{entity.DisplayName()} needs a single-column primary key to hold sealed values.");
        var destination = property.DeclaringType.FindProperty(nameof(SealedSecret.Destination))
            ?? throw new InvalidOperationException($"{entity.DisplayName()}.{property.Name} is not part of a sealed secret.");
        var binding = Enum.Parse<SecretBinding>((string)property.FindAnnotation(Annotation)!.Value!);
        return new SealedColumn(table, property.GetColumnName(tableId)!, key.GetColumnName(tableId)!, destination.GetColumnName(tableId)!, binding);
    }
}
