using SecretAdmin.Benchmarks.OpenLoop;
using SecretAdmin.Benchmarks.SignInLoad;

namespace SecretAdmin.Benchmarks.SignInVsTemplate;

/// <summary>Everything one <c>p3-template</c> run measured and found, filled in as it goes, for the report.</summary>
internal sealed class SignInVsTemplateRun
{
    public required SignInVsTemplateSettings Settings { get; init; }

    public required string SecretAdminLogFile { get; init; }

    public required string TemplateLogFile { get; init; }

    public string? SdkVersion { get; set; }

    public int SeededUsersPerApp { get; set; }

    public int SecretAdminIterations { get; set; }

    public int TemplateIterations { get; set; }

    public int SecretAdminWindowSteps { get; set; }

    /// <summary>Each password step: users per app, and users/s in SecretAdmin and in the template.</summary>
    public List<(int Users, double SecretAdmin, double Template)> PasswordSteps { get; } = [];

    public LoadResult? SecretAdminWarmUp { get; set; }

    public LoadResult? TemplateWarmUp { get; set; }

    public LoadResult? SecretAdminSaturation { get; set; }

    public LoadResult? TemplateSaturation { get; set; }

    public double OpenLoopRate { get; set; }

    public LoadResult? SecretAdminOpenLoop { get; set; }

    public LoadResult? TemplateOpenLoop { get; set; }

    public int OpenLoopUsers { get; set; }

    public DateTimeOffset SaturationFirstSessionAt { get; set; }

    public DateTimeOffset OpenLoopFirstSessionAt { get; set; }

    public TimeSpan TwoFactorCookieLifetime { get; set; } = TimeSpan.FromMinutes(5);

    public SignInRecord? SecretAdminSaturationRecord { get; set; }

    public IReadOnlyDictionary<long, long>? SecretAdminSaturationLastSteps { get; set; }

    public SignInRecord? SecretAdminOpenLoopRecord { get; set; }

    public IReadOnlyDictionary<long, long>? SecretAdminOpenLoopLastSteps { get; set; }

    public (long FailedAttempts, long LockedOut, long Users)? TemplateRecord { get; set; }

    public long TemplateSignInLogLines { get; set; }

    public AppLog? SecretAdminLog { get; set; }

    public AppLog? TemplateLog { get; set; }

    public TimeSpan TotalTime { get; set; }

    public List<string> Problems { get; } = [];

    public List<string> Notes { get; } = [];

    public IEnumerable<LoadResult> Measured => new[] { TemplateSaturation, SecretAdminSaturation, SecretAdminOpenLoop, TemplateOpenLoop }.OfType<LoadResult>();
}
