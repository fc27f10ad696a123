using System.Text.RegularExpressions;

namespace SecretAdmin.Benchmarks.SignInLoad;

/// <summary>The app's console log after the run: its warnings, errors and critical entries, by category.</summary>
internal sealed partial record AppLog(IReadOnlyDictionary<string, int> Warnings, IReadOnlyDictionary<string, int> Errors)
{
    public static AppLog Read(string file)
    {
        var entries = File.ReadLines(file).Select(l => Entry().Match(l)).Where(m => m.Success).ToArray();
        return new AppLog(Count(entries, "warn"), Count(entries, "fail", "crit"));
    }

    private static Dictionary<string, int> Count(Match[] entries, params string[] levels) =>
        entries.Where(m => levels.Contains(m.Groups["level"].Value))
            .GroupBy(m => m.Groups["category"].Value)
            .ToDictionary(g => g.Key, g => g.Count());

    // The console logger's first line of an entry: "warn: Category[event id]".
    [GeneratedRegex(@"^(?<level>trce|dbug|info|warn|fail|crit): (?<category>[^\[]+)\[")]
    private static partial Regex Entry();
}
