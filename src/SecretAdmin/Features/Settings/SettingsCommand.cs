using System.CommandLine;
using SecretAdmin.Commands;
using SecretAdmin.Features.Mfa;
using SecretAdmin.Features.Oidc;
using SecretAdmin.Features.Smtp;

namespace SecretAdmin.Features.Settings;

/// <summary>
/// <c>SecretAdmin settings show</c>, and what the areas' <c>set</c> verbs share: a save's outcome
/// printed with each message named by the option that sets its field.
/// </summary>
internal static class SettingsCommand
{
    /// <summary><c>settings show</c>, and each area's own verbs beside it (<c>settings oidc set</c>, …).</summary>
    public static Command Create(params Command[] areas)
    {
        var settings = new Command("settings", "Show or change the OIDC, SMTP and MFA settings.") { ShowCommand() };
        foreach (var area in areas)
        {
            settings.Subcommands.Add(area);
        }

        return settings;
    }

    private static Command ShowCommand()
    {
        var json = new Option<bool>("--json") { Description = "Print JSON instead of text." };
        var show = new Command("show", "Print every setting and each secret's status (never a secret).") { json };
        show.SetAction((parse, cancellationToken) => CommandHost.RunAsync(async (services, ct) =>
        {
            var oidc = await services.GetRequiredService<OidcSettingsService>().GetAsync(ct);
            var smtp = await services.GetRequiredService<SmtpSettingsService>().GetAsync(ct);
            var mfa = await services.GetRequiredService<MfaPolicyService>().GetAsync(ct);
            Console.WriteLine(parse.GetValue(json) ? SettingsReport.Json(oidc, smtp, mfa) : SettingsReport.Text(oidc, smtp, mfa));
            return 0;
        }, cancellationToken));
        return show;
    }




    /// <summary>Prints the outcome; each message is named by the option that sets its field.</summary>
    public static int Report(SettingsSaveResult result, string what, Command command)
    {
        if (result.Succeeded)
        {
            Console.WriteLine($"Saved: {what} (version {result.Version}).");
            return 0;
        }

        Console.Error.WriteLine($"Nothing was saved ({what}):");
        if (result.Outcome == SettingsSaveOutcome.Conflict)
        {
            Console.Error.WriteLine(TextInput.Escape(result.Message));
        }

        // One line per message: a message that quotes a value cannot break the line or drive the terminal.
        foreach (var (field, messages) in result.Errors)
        {
            foreach (var message in messages)
            {
                Console.Error.WriteLine(field.Length == 0 ? TextInput.Escape(message) : $"{OptionFor(command, field)}: {TextInput.Escape(message)}");
            }
        }

        return 1;
    }

    /// <summary>
    /// The option that sets a form field: the kebab-case field name (ButtonLabel → --button-label),
    /// or the command's own name for it where they differ.
    /// </summary>
    private static string OptionFor(Command command, string field)
    {
        var renamed = field switch
        {
            "NewClientSecret" => "--client-secret-stdin",
            "NewPassword" => "--password-stdin",
            "FromAddress" => "--from",
            "TimeoutSeconds" => "--timeout",
            "PeriodSeconds" => "--period",
            "WindowSteps" => "--window",
            _ => "--" + System.Text.RegularExpressions.Regex.Replace(field, "(?<!^)([A-Z])", "-$1").ToLowerInvariant(),
        };
        return command.Options.Any(o => o.Name == renamed) ? renamed : field;
    }
}
