using System.Globalization;

namespace ConvMixerNet.LoadTest;

/// <summary>A process's resident memory, from the kernel's own account of it.</summary>
internal static class ProcessMemory
{
    /// <summary>VmRSS of /proc/PID/status in KiB, or null where there is no such file.</summary>
    public static long? ResidentKiB(int? pid)
    {
        var status = $"/proc/{pid}/status";
        if (pid is null || !File.Exists(status))
        {
            return null;
        }

        var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line is null ? null : long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }
}
