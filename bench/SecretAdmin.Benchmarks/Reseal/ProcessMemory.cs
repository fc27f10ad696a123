using System.Runtime.Versioning;

namespace SecretAdmin.Benchmarks.Reseal;

/// <summary>This process's resident memory as Linux reports it in /proc/self/status, and the machine's load.</summary>
[SupportedOSPlatform("linux")]
internal static class ProcessMemory
{
    /// <summary>Peak resident set size (VmHWM) in bytes.</summary>
    public static long PeakResident() => Read("VmHWM:");

    /// <summary>Resident set size now (VmRSS) in bytes.</summary>
    public static long Resident() => Read("VmRSS:");

    /// <summary>Starts VmHWM again from the current resident size, so the next peak is the coming work's.</summary>
    public static void ResetPeak() => File.WriteAllText("/proc/self/clear_refs", "5");

    /// <summary>The machine's 1-minute load average (/proc/loadavg).</summary>
    public static double LoadAverage() =>
        double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);

    private static long Read(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                // "VmHWM:	  123456 kB"
                return long.Parse(line[field.Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException($"/proc/self/status has no {field} line.");
    }
}
