using Microsoft.EntityFrameworkCore;

namespace SecretAdmin.Data;

/// <summary>
/// Table and column names as the model maps them, quoted as both engines read them, for the few
/// statements written as SQL (values always go as parameters).
/// </summary>
public static class SqlNames
{
    public static string Table<TEntity>(this SecretAdminDbContext db) =>
        Quote(db.Model.FindEntityType(typeof(TEntity))?.GetTableName() ?? throw new InvalidOperationException($"{typeof(TEntity).Name} is not mapped to a table."));

    public static string Column<TEntity>(this SecretAdminDbContext db, string property) =>
        Quote(db.Model.FindEntityType(typeof(TEntity))?.FindProperty(property)?.GetColumnName() ?? throw new InvalidOperationException($"{typeof(TEntity).Name}.{property} is not mapped to a column."));

    private static string Quote(string name) => $"\"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
}
