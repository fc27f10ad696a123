using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace SecretAdmin.Tests.Support.Peers;

/// <summary>
/// The start-up of the Node.js peers (tests/peers/stalling-peer.mjs stands for one that stalls): a start that does
/// not print its ready line in time is killed and made once more, and a second stall fails naming both attempts.
/// </summary>
public sealed partial class NodePeerTests
{
    private static readonly TimeSpan ShortTimeout = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task StartAsync_NoReadyLineTwice_KillsBothAttemptsAndTheErrorGivesEachOnesStderr()
    {
        var error = await Assert.ThrowsAsync<TimeoutException>(() => NodePeer.StartAsync("stalling-peer.mjs", [], ShortTimeout));

        var first = error.Message.IndexOf("First attempt:", StringComparison.Ordinal);
        var second = error.Message.IndexOf("Second attempt:", StringComparison.Ordinal);
        Assert.True(first >= 0 && second > first, error.Message);
        int[] pids = [Pid(error.Message[first..second]), Pid(error.Message[second..])];
        Assert.NotEqual(pids[0], pids[1]);
        Assert.All(pids, pid => Assert.False(IsRunning(pid), $"process {pid} of a stalled start still runs"));
        Assert.Contains("within 2 s, twice", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_FirstStartStalls_TheSecondIsUsedAndTheFirstKilled()
    {
        var marker = Path.Combine(Path.GetTempPath(), $"secretadmin-stalling-peer-{Guid.NewGuid():N}");
        try
        {
            await using var peer = await NodePeer.StartAsync("stalling-peer.mjs", ["--ready-if-exists", marker], ShortTimeout);

            var stalled = int.Parse(File.ReadAllText(marker).Trim(), CultureInfo.InvariantCulture);
            Assert.False(IsRunning(stalled), $"the stalled first start (process {stalled}) still runs");
            Assert.False(peer.HasExited);
            Assert.Contains("so it is ready", peer.StandardError, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(marker);
        }
    }

    private static int Pid(string text)
    {
        var match = StartedAs().Match(text);
        Assert.True(match.Success, $"no process id in: {text}");
        return int.Parse(match.Groups["pid"].Value, CultureInfo.InvariantCulture);
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    [GeneratedRegex("started as process (?<pid>\\d+)")]
    private static partial Regex StartedAs();
}
