namespace SecretAdmin.Benchmarks.SignInLoad;

/// <summary>The measured run's users and timing, worked out from the calibration.</summary>
internal sealed record MainRunPlan(double CalibratedRequestsPerSecond, int UsersNeeded, DateTimeOffset PasswordStepDeadline, DateTimeOffset RunStart);
