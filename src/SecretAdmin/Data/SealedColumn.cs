using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using SecretAdmin.Security;

namespace SecretAdmin.Data;

/// <summary>A column that holds sealed envelopes, named as SQL names it, with the key column of its table.</summary>
public sealed record SealedColumn(string Table, string Column, string KeyColumn)
{
    public const string Annotation = "SecretAdmin:Sealed";

    /// <summary>The place of this column's value in the row with primary key <paramref name="rowKey"/>.</summary>
    public SealedPlace At(object rowKey) =>
        new(Table, Column, Convert.ToString(rowKey, System.Globalization.CultureInfo.InvariantCulture)!);

    /// <summary>Every column of the model marked with <see cref="SealedColumnBuilderExtensions.IsSealed"/>.</summary>
    public static IReadOnlyList<SealedColumn> AllIn(IModel model) =>
        model.GetEntityTypes()
            .SelectMany(entity => entity.GetProperties())
            .Where(property => property.FindAnnotation(Annotation) is not null)
            .Select(Of)
            .OrderBy(c => c.Table, StringComparer.Ordinal)
            .ThenBy(c => c.Column, StringComparer.Ordinal)
            .ToArray();

    /// <summary>The sealed column of <typeparamref name="TEntity"/>'s <paramref name="propertyName"/>.</summary>
    public static SealedColumn For<TEntity>(IModel model, string propertyName) =>
        model.FindEntityType(typeof(TEntity))?.FindProperty(propertyName) is { } property && property.FindAnnotation(Annotation) is not null
            ? Of(property)
            : throw new InvalidOperationException($"{typeof(TEntity).Name}.{propertyName} is not a sealed column.");

    public static SealedColumn Of(IProperty property)
    {
        var entity = property.DeclaringType.ContainingEntityType;
        var table = entity.GetTableName()
            ?? throw new InvalidOperationException($"{entity.DisplayName()} is not mapped to a table.");
        var tableId = StoreObjectIdentifier.Table(table, entity.GetSchema());
        var key = entity.FindPrimaryKey() is { Properties: [var keyProperty] }
            ? keyProperty
            : throw new InvalidOperationException($"{entity.DisplayName()} needs a single-column primary key to hold sealed values.");
        return new SealedColumn(table, property.GetColumnName(tableId)!, key.GetColumnName(tableId)!);
    }
}
