using System.CommandLine;
using SecretAdmin.Commands;
using SecretAdmin.Features.Health;
using SecretAdmin.Features.Keys;
using SecretAdmin.Features.Mfa;
using SecretAdmin.Features.Oidc;
using SecretAdmin.Features.Settings;
using SecretAdmin.Features.Smtp;
using SecretAdmin.Features.Users;

namespace SecretAdmin.Hosting;

/// <summary>
/// The executable's commands (<c>SecretAdmin &lt;command&gt;</c>). Without a command, or with only
/// options such as <c>--urls</c>, the executable runs the web app instead.
/// </summary>
internal static class CommandLine
{
    private static readonly string[] CommandLineOptions = ["-h", "-?", "--help", "--version"];

    /// <summary>True when the arguments name a command (or ask for help); false for the web app and its options.</summary>
    public static bool IsCommand(string[] args) =>
        args.Length > 0 && (!args[0].StartsWith('-') || CommandLineOptions.Contains(args[0], StringComparer.Ordinal));

    public static Task<int> RunAsync(string[] args)
    {
        // Whatever a command prints — results, messages, echoed arguments, log lines — reaches the terminal escaped.
        TerminalSafeWriter.Install();
        return CreateRootCommand().Parse(args).InvokeAsync();
    }

    public static RootCommand CreateRootCommand() =>
        new("SecretAdmin: an admin console that keeps OIDC, SMTP and TOTP secrets sealed. Run without a command to serve the web app.")
        {
            HealthCommand.Create(),
            AdminCommand.Create(),
            SettingsCommand.Create(OidcSettingsCommand.Create(), SmtpSettingsCommand.Create(), MfaPolicyCommand.Create()),
            KeysCommand.Create(),
            KeysCommand.CreateSecrets(),
        };
}
