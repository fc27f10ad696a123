using System.CommandLine;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Mfa;
using SecretAdmin.Features.Oidc;
using SecretAdmin.Features.Smtp;
using SecretAdmin.Commands;

namespace SecretAdmin.Features.Settings;

/// <summary>
/// <c>SecretAdmin settings show|oidc set|smtp set|mfa set</c>: the same services, validation and
/// audit (actor <c>cli</c>) as the pages. Options left out keep their stored values; secrets are
/// read from standard input only.
/// </summary>
internal static class SettingsCommand
{
    public static Command Create() => new("settings", "Show or change the OIDC, SMTP and MFA settings.")
    {
        ShowCommand(),
        OidcCommand(),
        SmtpCommand(),
        MfaCommand(),
    };

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

    private static Command OidcCommand()
    {
        var enabled = new Option<bool?>("--enabled") { Description = "Offer single sign-on (true or false)." };
        var label = new Option<string?>("--button-label") { Description = "The sign-in button's label." };
        var authority = new Option<string?>("--authority") { Description = "The provider's issuer URL (https; http only for localhost)." };
        var clientId = new Option<string?>("--client-id") { Description = "The client id registered at the provider." };
        var secretStdin = new Option<bool>("--client-secret-stdin") { Description = "Read a new client secret from standard input." };
        var clearSecret = new Option<bool>("--clear-client-secret") { Description = "Remove the stored client secret." };
        var scopes = new Option<string?>("--scopes") { Description = "Space-separated scopes; must include openid." };
        var callback = new Option<string?>("--callback-path") { Description = "The path the provider redirects to, such as /signin-oidc." };
        var roleClaim = new Option<string?>("--role-claim-type") { Description = "The claim that carries roles or groups." };
        var adminValue = new Option<string?>("--admin-role-value") { Description = "The value of that claim that makes an administrator." };
        var createUsers = new Option<bool?>("--create-unknown-users") { Description = "Create users on their first sign-in (true or false)." };
        var linkByEmail = new Option<bool?>("--link-by-verified-email") { Description = "Link a first sign-in to the user with the same email, if the provider verified it (true or false)." };
        var domains = new Option<string?>("--allowed-email-domains") { Description = "Comma-separated email domains allowed to sign in (empty: any)." };
        var set = new Command("set", "Change the OIDC settings.")
        {
            enabled, label, authority, clientId, secretStdin, clearSecret, scopes, callback, roleClaim, adminValue, createUsers, linkByEmail, domains,
        };
        set.SetAction((parse, cancellationToken) => StandardInputSecret.RunWithAsync(parse.GetValue(secretStdin) ? secretStdin.Name : null, secret => CommandHost.RunAsync(async (services, ct) =>
        {
            var service = services.GetRequiredService<OidcSettingsService>();
            var view = await service.GetAsync(ct);
            var form = OidcSettingsForm.From(view);
            form.Enabled = parse.GetValue(enabled) ?? form.Enabled;
            form.ButtonLabel = parse.GetValue(label) ?? form.ButtonLabel;
            form.Authority = parse.GetValue(authority) ?? form.Authority;
            form.ClientId = parse.GetValue(clientId) ?? form.ClientId;
            form.Scopes = parse.GetValue(scopes) ?? form.Scopes;
            form.CallbackPath = parse.GetValue(callback) ?? form.CallbackPath;
            form.RoleClaimType = parse.GetValue(roleClaim) ?? form.RoleClaimType;
            form.AdminRoleValue = parse.GetValue(adminValue) ?? form.AdminRoleValue;
            form.CreateUnknownUsers = parse.GetValue(createUsers) ?? form.CreateUnknownUsers;
            form.LinkByVerifiedEmail = parse.GetValue(linkByEmail) ?? form.LinkByVerifiedEmail;
            form.AllowedEmailDomains = parse.GetValue(domains) ?? form.AllowedEmailDomains;
            form.NewClientSecret = secret;
            form.ClearClientSecret = parse.GetValue(clearSecret);
            return Report(await service.SaveAsync(AuditActor.Cli, form, view.Version, ct), "OIDC settings", set);
        }, cancellationToken), cancellationToken));
        return new Command("oidc", "OpenID Connect single sign-on.") { set };
    }

    private static Command SmtpCommand()
    {
        var host = new Option<string?>("--host") { Description = "The SMTP server's host name." };
        var port = new Option<int?>("--port") { Description = "The port, 1-65535." };
        var security = new Option<string?>("--security") { Description = "none, starttls or tls (TLS on connect)." };
        security.AcceptOnlyFromAmong("none", "starttls", "tls");
        var username = new Option<string?>("--username") { Description = "The username to authenticate with." };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read a new password from standard input." };
        var clearPassword = new Option<bool>("--clear-password") { Description = "Remove the stored password." };
        var from = new Option<string?>("--from") { Description = "The address mail is sent from." };
        var fromName = new Option<string?>("--from-name") { Description = "The display name mail is sent from." };
        var timeout = new Option<int?>("--timeout") { Description = "Seconds to wait for the server, 1-300." };
        var set = new Command("set", "Change the SMTP settings.") { host, port, security, username, passwordStdin, clearPassword, from, fromName, timeout };
        set.SetAction((parse, cancellationToken) => StandardInputSecret.RunWithAsync(parse.GetValue(passwordStdin) ? passwordStdin.Name : null, password => CommandHost.RunAsync(async (services, ct) =>
        {
            var service = services.GetRequiredService<SmtpSettingsService>();
            var view = await service.GetAsync(ct);
            var form = SmtpSettingsForm.From(view);
            form.Host = parse.GetValue(host) ?? form.Host;
            form.Port = parse.GetValue(port) ?? form.Port;
            form.Security = parse.GetValue(security) switch
            {
                "none" => SmtpSecurity.None,
                "starttls" => SmtpSecurity.StartTls,
                "tls" => SmtpSecurity.TlsOnConnect,
                _ => form.Security,
            };
            form.Username = parse.GetValue(username) ?? form.Username;
            form.FromAddress = parse.GetValue(from) ?? form.FromAddress;
            form.FromName = parse.GetValue(fromName) ?? form.FromName;
            form.TimeoutSeconds = parse.GetValue(timeout) ?? form.TimeoutSeconds;
            form.NewPassword = password;
            form.ClearPassword = parse.GetValue(clearPassword);
            return Report(await service.SaveAsync(AuditActor.Cli, form, view.Version, ct), "SMTP settings", set);
        }, cancellationToken), cancellationToken));
        return new Command("smtp", "Outgoing mail.") { set };
    }

    private static Command MfaCommand()
    {
        var issuer = new Option<string?>("--issuer") { Description = "The issuer name authenticator apps show." };
        var digits = new Option<int?>("--digits") { Description = "6 or 8." };
        var period = new Option<int?>("--period") { Description = "Seconds per code, 15-120." };
        var algorithm = new Option<string?>("--algorithm") { Description = "sha1, sha256 or sha512." };
        algorithm.AcceptOnlyFromAmong("sha1", "sha256", "sha512");
        var window = new Option<int?>("--window") { Description = "Steps accepted before and after the current one, 0-2." };
        var admins = new Option<bool?>("--require-for-admins") { Description = "Administrators must use MFA (true or false)." };
        var everyone = new Option<bool?>("--require-for-all-users") { Description = "Every user must use MFA (true or false)." };
        var afterSso = new Option<bool?>("--require-totp-after-sso") { Description = "Ask for the authenticator code after single sign-on too (true or false)." };
        var attempts = new Option<int?>("--max-failed-attempts") { Description = "Failed attempts before lockout, 1-100." };
        var minutes = new Option<int?>("--lockout-minutes") { Description = "Minutes a lockout lasts, 1-1440." };
        var set = new Command("set", "Change the MFA policy.") { issuer, digits, period, algorithm, window, admins, everyone, afterSso, attempts, minutes };
        set.SetAction((parse, cancellationToken) => CommandHost.RunAsync(async (services, ct) =>
        {
            var service = services.GetRequiredService<MfaPolicyService>();
            var view = await service.GetAsync(ct);
            var form = MfaPolicyForm.From(view);
            form.Issuer = parse.GetValue(issuer) ?? form.Issuer;
            form.Digits = parse.GetValue(digits) ?? form.Digits;
            form.PeriodSeconds = parse.GetValue(period) ?? form.PeriodSeconds;
            form.Algorithm = parse.GetValue(algorithm) switch
            {
                "sha1" => TotpAlgorithm.Sha1,
                "sha256" => TotpAlgorithm.Sha256,
                "sha512" => TotpAlgorithm.Sha512,
                _ => form.Algorithm,
            };
            form.WindowSteps = parse.GetValue(window) ?? form.WindowSteps;
            form.RequireForAdmins = parse.GetValue(admins) ?? form.RequireForAdmins;
            form.RequireForAllUsers = parse.GetValue(everyone) ?? form.RequireForAllUsers;
            form.RequireTotpAfterSso = parse.GetValue(afterSso) ?? form.RequireTotpAfterSso;
            form.MaxFailedAttempts = parse.GetValue(attempts) ?? form.MaxFailedAttempts;
            form.LockoutMinutes = parse.GetValue(minutes) ?? form.LockoutMinutes;
            return Report(await service.SaveAsync(AuditActor.Cli, form, view.Version, ct), "MFA policy", set);
        }, cancellationToken));
        return new Command("mfa", "The MFA policy.") { set };
    }

    /// <summary>Prints the outcome; each message is named by the option that sets its field.</summary>
    private static int Report(SettingsSaveResult result, string what, Command command)
    {
        if (result.Succeeded)
        {
            Console.WriteLine($"Saved: {what} (version {result.Version}).");
            return 0;
        }

        Console.Error.WriteLine($"Nothing was saved ({what}):");
        if (result.Outcome == SettingsSaveOutcome.Conflict)
        {
            Console.Error.WriteLine(result.Message);
        }

        foreach (var (field, messages) in result.Errors)
        {
            foreach (var message in messages)
            {
                Console.Error.WriteLine(field.Length == 0 ? message : $"{OptionFor(command, field)}: {message}");
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
