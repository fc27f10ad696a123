using System.Data.Common;

namespace SecretAdmin.Benchmarks;

/// <summary>
/// Plain ADO.NET parameters read the same way by every engine (<c>@name</c> in the SQL), as the
/// app's own internal <c>DbCommandExtensions.AddParameter</c> adds them (not visible to this project).
/// </summary>
internal static class DbCommandParameters
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
