namespace SecretAdmin.Benchmarks.SignInLoad;

/// <summary>Everything one P3 run measured and found, filled in as it goes, for the report.</summary>
internal sealed class SignInLoadRun
{
    public required string AppLogFile { get; init; }

    public required string WrkLogFile { get; init; }

    public WrkSettings Settings { get; set; } = WrkSettings.Measured;

    public TimeSpan TwoFactorCookieLifetime { get; set; }

    public int WindowSteps { get; set; }

    public int SeededUsers { get; set; }

    public int PasswordIterations { get; set; }

    public double PasswordStepsPerSecond { get; set; }

    public WrkResult? WarmUp { get; set; }

    public WrkResult? Calibration { get; set; }

    public WrkResult? LivenessBefore { get; set; }

    public MainRunPlan? Plan { get; set; }

    public int MainUsers { get; set; }

    /// <summary>How long the measured second-factor run lasts: the settings' duration, or less when fewer users passed the password step than needed.</summary>
    public int MainRunSeconds { get; set; }

    public double MainPasswordStepSeconds { get; set; }

    public DateTimeOffset FirstSessionAt { get; set; }

    public WrkResult? SignIn { get; set; }

    public WrkResult? LivenessAfter { get; set; }

    public SignInRecord? Record { get; set; }

    public AppLog? AppLog { get; set; }

    public TimeSpan TotalTime { get; set; }

    /// <summary>The checks that failed, and why the run stopped if it did.</summary>
    public List<string> Problems { get; } = [];
}
