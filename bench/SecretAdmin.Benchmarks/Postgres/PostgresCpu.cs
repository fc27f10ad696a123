using System.Globalization;

namespace SecretAdmin.Benchmarks.Postgres;

/// <summary>The CPU time of one PostgreSQL server: its postmaster and every process it started (backends, writers), from /proc.</summary>
internal static class PostgresCpu
{
    /// <summary>User + system seconds of <paramref name="postmasterId"/> and its children now (times in clock ticks of 1/100 s).</summary>
    public static double Seconds(int postmasterId)
    {
        var ticks = 0.0;
        foreach (var folder in Directory.EnumerateDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _)))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(folder, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var id = int.Parse(Path.GetFileName(folder), CultureInfo.InvariantCulture);
                if (id == postmasterId || fields[1] == postmasterId.ToString(CultureInfo.InvariantCulture))
                {
                    ticks += double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended meanwhile.
            }
        }

        return ticks / 100;
    }
}
