using System.Globalization;

namespace SecretAdmin.Benchmarks.SignInLoad;

/// <summary>CPU seconds from /proc: the whole machine's busy and total time, and one process's.</summary>
internal sealed record CpuTimes(double MachineBusySeconds, double MachineTotalSeconds, double ProcessSeconds)
{
    // USER_HZ: the unit of /proc/stat and /proc/PID/stat times on Linux.
    private const double TicksPerSecond = 100;

    public static CpuTimes Read(int processId)
    {
        var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var idle = cpu[3] + cpu[4];
        var total = cpu.Take(8).Sum();

        // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
        var stat = File.ReadAllText($"/proc/{processId}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var process = double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture);
        return new CpuTimes((total - idle) / TicksPerSecond, total / TicksPerSecond, process / TicksPerSecond);
    }

    public static CpuTimes operator -(CpuTimes after, CpuTimes before) =>
        new(after.MachineBusySeconds - before.MachineBusySeconds, after.MachineTotalSeconds - before.MachineTotalSeconds, after.ProcessSeconds - before.ProcessSeconds);
}
