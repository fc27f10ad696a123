using System.Globalization;

namespace SecretAdmin.Benchmarks.SignInVsTemplate;

/// <summary>
/// <c>p3-template</c>'s options: users per app for the saturation runs (and at most as many for the open loop), seconds per measured run, closed-loop
/// connections, and the open loop's rate as a fraction of the lower saturation throughput.
/// </summary>
internal sealed record SignInVsTemplateSettings(int Users, int Seconds, int Connections, double Fraction)
{
    public const int WarmUpUsers = 200;

    public const int ProbeUsers = 2;

    /// <summary>The password step runs a few users at a time: it is CPU-bound (PBKDF2) on the app's side.</summary>
    public const int PasswordStepParallel = 4;

    public static SignInVsTemplateSettings Default { get; } = new(Users: 2_000, Seconds: 10, Connections: 50, Fraction: 0.7);

    /// <summary>Probe and warm-up users, the saturation runs' users, and as many again for the open loop (which uses those it needs).</summary>
    public int SeededUsers => ProbeUsers + WarmUpUsers + (2 * Users);

    public static SignInVsTemplateSettings? Parse(string[] args)
    {
        var settings = Default;
        for (var i = 0; i < args.Length; i += 2)
        {
            if (i + 1 >= args.Length)
            {
                return null;
            }

            var value = args[i + 1];
            settings = args[i] switch
            {
                "--users" => settings with { Users = int.Parse(value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture) },
                "--seconds" => settings with { Seconds = int.Parse(value, CultureInfo.InvariantCulture) },
                "--connections" => settings with { Connections = int.Parse(value, CultureInfo.InvariantCulture) },
                "--fraction" => settings with { Fraction = double.Parse(value, CultureInfo.InvariantCulture) },
                _ => null,
            };
            if (settings is null)
            {
                return null;
            }
        }

        return settings is { Users: > 0, Seconds: > 0 and <= 13, Connections: > 0, Fraction: > 0 and < 1 } ? settings : null;
    }
}
