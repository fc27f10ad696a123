using OtpNet;
using SecretAdmin.Benchmarks.SignInLoad;

namespace SecretAdmin.Benchmarks.SignInVsTemplate;

/// <summary>
/// Hands out TOTP codes that are valid when sent and never sent before for their user: users in
/// turn, each user's steps strictly increasing. At step n a user may send the code of step n − 1
/// (only in the step's first 20 s, so it is still valid when a slow answer arrives), n or n + 1:
/// a window both apps accept (SecretAdmin's default is ±1 step). Thread-safe.
/// </summary>
internal sealed class FreshCodes
{
    /// <summary>The previous step's code is handed out only this far into a step.</summary>
    private const int PreviousStepUntilSecond = 20;

    private readonly Totp[] _totps;
    private readonly long[] _lastStep;
    private readonly Lock _gate = new();
    private int _next;
    private long _handedOut;

    /// <param name="secrets">The users' raw TOTP secrets, in the order this source numbers them (0, 1, …).</param>
    public FreshCodes(IReadOnlyList<byte[]> secrets)
    {
        _totps = secrets.Select(s => new Totp(s, TotpCodes.PeriodSeconds, OtpHashMode.Sha1, 6)).ToArray();
        _lastStep = Enumerable.Repeat(long.MinValue, secrets.Count).ToArray();
    }

    public int Users => _totps.Length;

    public long HandedOut => Interlocked.Read(ref _handedOut);

    /// <summary>The next user in turn with a code left in the window at <paramref name="now"/>, its step and code; null when none is left.</summary>
    public (int User, long Step, string Code)? Next(DateTimeOffset now)
    {
        var seconds = now.ToUnixTimeSeconds();
        var step = seconds / TotpCodes.PeriodSeconds;
        var lowest = seconds % TotpCodes.PeriodSeconds < PreviousStepUntilSecond ? step - 1 : step;
        int user;
        long chosen;
        lock (_gate)
        {
            var found = false;
            user = 0;
            chosen = 0;
            for (var tried = 0; tried < _totps.Length && !found; tried++)
            {
                user = _next;
                _next = (_next + 1) % _totps.Length;
                chosen = Math.Max(_lastStep[user] == long.MinValue ? lowest : _lastStep[user] + 1, lowest);
                found = chosen <= step + 1;
            }

            if (!found)
            {
                return null;
            }

            _lastStep[user] = chosen;
            _handedOut++;
        }

        return (user, chosen, _totps[user].ComputeTotp(DateTimeOffset.FromUnixTimeSeconds(chosen * TotpCodes.PeriodSeconds).UtcDateTime));
    }

    /// <summary>How many users have each step as the last one sent (none: <see cref="long.MinValue"/>).</summary>
    public IReadOnlyDictionary<long, long> UsersByLastStep()
    {
        lock (_gate)
        {
            return _lastStep.GroupBy(s => s).ToDictionary(g => g.Key, g => (long)g.Count());
        }
    }
}
