namespace SecretAdmin.Tests.Support;

/// <summary>SQL that damages a stored envelope the same way on each engine.</summary>
public static class Tamper
{
    /// <summary>The column's value with its last two characters changed, whatever they were (an envelope may end in AA by chance).</summary>
    public static string LastTwoCharacters(string column) =>
        $"substr(\"{column}\", 1, length(\"{column}\") - 2) || CASE WHEN substr(\"{column}\", length(\"{column}\") - 1) = 'AA' THEN 'BB' ELSE 'AA' END";
}
