namespace SecretAdmin.Benchmarks.SignInLoad;

/// <summary>
/// What one wrk thread sent in one TOTP step: codes sent (<paramref name="Used"/>), of which for the
/// next step (<paramref name="NextStep"/>), and the users it had (<paramref name="Available"/>).
/// </summary>
internal sealed record StepUse(int Thread, long Step, long Used, long NextStep, long Available);
