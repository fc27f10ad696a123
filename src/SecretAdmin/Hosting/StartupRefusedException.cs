namespace SecretAdmin.Hosting;

/// <summary>
/// Start-up cannot go on safely (keys, database). The message is for the operator: what is
/// wrong and what to do. It never holds a secret or key material.
/// </summary>
public sealed class StartupRefusedException(string message) : Exception(message)
{
    /// <summary>The exit code of the web app and of every command when start-up is refused (EX_CONFIG).</summary>
    public const int ExitCode = 78;
}
