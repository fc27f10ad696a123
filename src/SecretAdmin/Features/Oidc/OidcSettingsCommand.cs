using System.CommandLine;
using SecretAdmin.Commands;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Settings;

namespace SecretAdmin.Features.Oidc;

/// <summary>
/// <c>SecretAdmin settings oidc set</c>: the OIDC page's service, validation and audit (actor <c>cli</c>).
/// Options left out keep their stored values; the client secret is read from standard input only.
/// </summary>
internal static class OidcSettingsCommand
{
    public static Command Create()
    {
        var enabled = new Option<bool?>("--enabled") { Description = "Offer single sign-on (true or false)." };
        var label = new Option<string?>("--button-label") { Description = "The provider's name on the sign-in button, which reads \"Sign in with <name>\"." };
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
        var emailClaim = new Option<string?>("--email-claim-fallback") { Description = "A claim to read the email from when email is absent, such as upn (creates users, never links them)." };
        var clientAuth = new Option<string?>("--client-authentication") { Description = "automatic, client_secret_basic or client_secret_post." };
        clientAuth.AcceptOnlyFromAmong("automatic", "client_secret_basic", "client_secret_post");
        var hostedClaim = new Option<string?>("--hosted-domain-claim") { Description = "A claim every sign-in must carry with an allowed value, such as hd (empty: none)." };
        var hostedDomains = new Option<string?>("--hosted-domains") { Description = "Comma-separated values allowed in the hosted-domain claim." };
        var set = new Command("set", "Change the OIDC settings.")
        {
            enabled, label, authority, clientId, secretStdin, clearSecret, scopes, callback, roleClaim, adminValue, createUsers, linkByEmail, domains,
            emailClaim, clientAuth, hostedClaim, hostedDomains,
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
            form.EmailClaimFallback = parse.GetValue(emailClaim) ?? form.EmailClaimFallback;
            form.ClientAuthentication = parse.GetValue(clientAuth) switch
            {
                "automatic" => SsoClientAuthentication.Automatic,
                "client_secret_basic" => SsoClientAuthentication.Basic,
                "client_secret_post" => SsoClientAuthentication.Post,
                _ => form.ClientAuthentication,
            };
            form.HostedDomainClaim = parse.GetValue(hostedClaim) ?? form.HostedDomainClaim;
            form.HostedDomains = parse.GetValue(hostedDomains) ?? form.HostedDomains;
            form.NewClientSecret = secret;
            form.ClearClientSecret = parse.GetValue(clearSecret);
            return SettingsCommand.Report(await service.SaveAsync(AuditActor.Cli, form, view.Version, ct), "OIDC settings", set);
        }, cancellationToken), cancellationToken));
        return new Command("oidc", "OpenID Connect single sign-on.") { set };
    }
}
