using System.CommandLine;
using SecretAdmin.Commands;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Settings;
using SecretAdmin.Features.Smtp.OAuth;

namespace SecretAdmin.Features.Smtp;

/// <summary>
/// <c>SecretAdmin settings smtp set</c>: the SMTP page's service, validation and audit (actor <c>cli</c>).
/// Options left out keep their stored values; a secret (password, client secret or private key) is
/// read from standard input only, one per run.
/// </summary>
internal static class SmtpSettingsCommand
{
    public static Command Create()
    {
        var host = new Option<string?>("--host") { Description = "The SMTP server's host name." };
        var port = new Option<int?>("--port") { Description = "The port, 1-65535." };
        var security = new Option<string?>("--security") { Description = "none, starttls or tls (TLS on connect)." };
        security.AcceptOnlyFromAmong("none", "starttls", "tls");
        var auth = new Option<string?>("--auth") { Description = "How to sign in: none, password or oauth (XOAUTH2). A new password alone chooses password." };
        auth.AcceptOnlyFromAmong("none", "password", "oauth");
        var username = new Option<string?>("--username") { Description = "The username to authenticate with; with oauth, the mailbox." };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read a new password from standard input." };
        var clearPassword = new Option<bool>("--clear-password") { Description = "Remove the stored password." };
        var grant = new Option<string?>("--oauth-grant") { Description = "client-credentials, or jwt-bearer (a service account acting for the mailbox)." };
        grant.AcceptOnlyFromAmong("client-credentials", "jwt-bearer");
        var tokenEndpoint = new Option<string?>("--token-endpoint") { Description = "The OAuth token endpoint (https)." };
        var clientId = new Option<string?>("--client-id") { Description = "The OAuth client id." };
        var scope = new Option<string?>("--scope") { Description = "The scope to ask for, such as https://outlook.office365.com/.default." };
        var clientAuth = new Option<string?>("--client-auth") { Description = "secret-post, secret-basic or private-key (private_key_jwt)." };
        clientAuth.AcceptOnlyFromAmong("secret-post", "secret-basic", "private-key");
        var clientSecretStdin = new Option<bool>("--client-secret-stdin") { Description = "Read a new OAuth client secret from standard input." };
        var clearClientSecret = new Option<bool>("--clear-client-secret") { Description = "Remove the stored OAuth client secret." };
        var privateKeyStdin = new Option<bool>("--private-key-stdin") { Description = "Read an RSA private key (PEM) from standard input." };
        var generateKey = new Option<bool>("--generate-key") { Description = "Generate a new private key; its certificate is printed to register with the provider." };
        var clearPrivateKey = new Option<bool>("--clear-private-key") { Description = "Remove the stored private key." };
        var from = new Option<string?>("--from") { Description = "The address mail is sent from." };
        var fromName = new Option<string?>("--from-name") { Description = "The display name mail is sent from." };
        var timeout = new Option<int?>("--timeout") { Description = "Seconds to wait for the server, 1-300." };
        var set = new Command("set", "Change the SMTP settings.")
        {
            host, port, security, auth, username, passwordStdin, clearPassword, grant, tokenEndpoint, clientId, scope, clientAuth,
            clientSecretStdin, clearClientSecret, privateKeyStdin, generateKey, clearPrivateKey, from, fromName, timeout,
        };
        set.Validators.Add(result =>
        {
            if (new[] { passwordStdin, clientSecretStdin, privateKeyStdin }.Count(o => result.GetValue(o)) > 1)
            {
                result.AddError("Give one of --password-stdin, --client-secret-stdin and --private-key-stdin per run: standard input holds one secret.");
            }
        });
        set.SetAction((parse, cancellationToken) =>
        {
            var stdin = parse.GetValue(passwordStdin) ? passwordStdin : parse.GetValue(clientSecretStdin) ? clientSecretStdin : parse.GetValue(privateKeyStdin) ? privateKeyStdin : null;
            return StandardInputSecret.RunWithAsync(stdin?.Name, secret => CommandHost.RunAsync(async (services, ct) =>
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
                form.Authentication = parse.GetValue(auth) switch
                {
                    "none" => SmtpAuthentication.None,
                    "password" => SmtpAuthentication.Password,
                    "oauth" => SmtpAuthentication.OAuth,
                    _ when stdin == passwordStdin && form.Authentication == SmtpAuthentication.None => SmtpAuthentication.Password,
                    _ => form.Authentication,
                };
                form.Username = parse.GetValue(username) ?? form.Username;
                form.OAuthGrant = parse.GetValue(grant) switch
                {
                    "client-credentials" => OAuthGrant.ClientCredentials,
                    "jwt-bearer" => OAuthGrant.JwtBearer,
                    _ => form.OAuthGrant,
                };
                form.OAuthTokenEndpoint = parse.GetValue(tokenEndpoint) ?? form.OAuthTokenEndpoint;
                form.OAuthClientId = parse.GetValue(clientId) ?? form.OAuthClientId;
                form.OAuthScope = parse.GetValue(scope) ?? form.OAuthScope;
                form.OAuthClientAuthentication = parse.GetValue(clientAuth) switch
                {
                    "secret-post" => OAuthClientAuthentication.ClientSecretPost,
                    "secret-basic" => OAuthClientAuthentication.ClientSecretBasic,
                    "private-key" => OAuthClientAuthentication.PrivateKeyJwt,
                    _ => form.OAuthClientAuthentication,
                };
                form.FromAddress = parse.GetValue(from) ?? form.FromAddress;
                form.FromName = parse.GetValue(fromName) ?? form.FromName;
                form.TimeoutSeconds = parse.GetValue(timeout) ?? form.TimeoutSeconds;
                form.NewPassword = stdin == passwordStdin ? secret : null;
                form.ClearPassword = parse.GetValue(clearPassword);
                form.NewOAuthClientSecret = stdin == clientSecretStdin ? secret : null;
                form.ClearOAuthClientSecret = parse.GetValue(clearClientSecret);
                form.NewOAuthPrivateKey = stdin == privateKeyStdin ? secret : null;
                form.GenerateOAuthPrivateKey = parse.GetValue(generateKey);
                form.ClearOAuthPrivateKey = parse.GetValue(clearPrivateKey);
                var exit = SettingsCommand.Report(await service.SaveAsync(AuditActor.Cli, form, view.Version, ct), "SMTP settings", set);
                if (exit == 0 && (form.GenerateOAuthPrivateKey || form.NewOAuthPrivateKey is not null) && (await service.GetAsync(ct)).OAuthPublicKey is { } publicKey)
                {
                    // The public part only: what the provider needs to check the assertions.
                    Console.WriteLine($"Register this certificate (thumbprint {publicKey.CertificateThumbprint}) with the provider:");
                    Console.WriteLine(publicKey.CertificatePem);
                    Console.WriteLine("or this public key (JWK):");
                    Console.WriteLine(publicKey.Jwk);
                }

                return exit;
            }, cancellationToken), cancellationToken);
        });
        return new Command("smtp", "Outgoing mail.") { set };
    }
}
