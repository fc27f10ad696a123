using System.CommandLine;
using SecretAdmin.Commands;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Settings;

namespace SecretAdmin.Features.Smtp;

/// <summary>
/// <c>SecretAdmin settings smtp set</c>: the SMTP page's service, validation and audit (actor <c>cli</c>).
/// Options left out keep their stored values; the password is read from standard input only.
/// </summary>
internal static class SmtpSettingsCommand
{
    public static Command Create()
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
            return SettingsCommand.Report(await service.SaveAsync(AuditActor.Cli, form, view.Version, ct), "SMTP settings", set);
        }, cancellationToken), cancellationToken));
        return new Command("smtp", "Outgoing mail.") { set };
    }
}
