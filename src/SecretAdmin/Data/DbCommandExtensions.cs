using System.Data.Common;

namespace SecretAdmin.Data;

/// <summary>Plain ADO.NET parameters that every engine reads the same way (<c>@name</c> in the SQL).</summary>
internal static class DbCommandExtensions
{
    public static DbParameter AddParameter(this DbCommand command, string name, object? value = null)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return parameter;
    }
}
