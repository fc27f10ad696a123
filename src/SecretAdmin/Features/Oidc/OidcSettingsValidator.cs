using SecretAdmin.Features.Settings;
using SecretAdmin.Security;

namespace SecretAdmin.Features.Oidc;

/// <summary>The rules of the OIDC settings; the page and the command line show the same messages.</summary>
public static class OidcSettingsValidator
{
    public static IReadOnlyDictionary<string, string[]> Validate(OidcSettingsForm form, SecretStatus storedSecret)
    {
        var errors = new ValidationErrors();

        // The one text rule first; a field that breaks it gets no other message.
        TextInput.Check(errors, form);
        SettingsValidation.Required(errors, nameof(form.ButtonLabel), form.ButtonLabel, "Enter the label of the sign-in button.");

        if (!errors.Has(nameof(form.Authority)) && !string.IsNullOrWhiteSpace(form.Authority) && AuthorityProblem(form.Authority) is { } authorityProblem)
        {
            errors.Add(nameof(form.Authority), authorityProblem);
        }

        if (!errors.Has(nameof(form.ClientId)) && form.ClientId is { Length: > 0 } clientId && clientId.Trim().Any(char.IsWhiteSpace))
        {
            errors.Add(nameof(form.ClientId), "Enter the client id without spaces.");
        }

        SettingsValidation.Secret(errors, nameof(form.NewClientSecret), form.NewClientSecret, form.ClearClientSecret);

        var scopes = ScopeList(form.Scopes);
        if (!errors.Has(nameof(form.Scopes)) && !scopes.Contains("openid", StringComparer.Ordinal))
        {
            errors.Add(nameof(form.Scopes), "The scopes must include openid.");
        }
        else if (!errors.Has(nameof(form.Scopes)) && scopes.Any(s => s.Any(c => c < 0x21 || c > 0x7e || c is '"' or '\\')))
        {
            errors.Add(nameof(form.Scopes), "Separate scopes with spaces; a scope has no quotes or backslashes.");
        }

        if (!errors.Has(nameof(form.CallbackPath)) && CallbackPathProblem(form.CallbackPath) is { } callbackProblem)
        {
            errors.Add(nameof(form.CallbackPath), callbackProblem);
        }

        if (!string.IsNullOrWhiteSpace(form.AdminRoleValue) && string.IsNullOrWhiteSpace(form.RoleClaimType))
        {
            errors.Add(nameof(form.RoleClaimType), "Enter the claim that carries roles or groups, so the admin value can be found in it.");
        }

        var badDomains = DomainList(form.AllowedEmailDomains).Where(d => !SettingsValidation.IsDomain(d)).ToArray();
        if (!errors.Has(nameof(form.AllowedEmailDomains)) && badDomains.Length > 0)
        {
            errors.Add(nameof(form.AllowedEmailDomains), $"These are not domain names: {string.Join(", ", badDomains)}. Separate domains with commas or spaces.");
        }

        ClaimName(errors, nameof(form.EmailClaimFallback), form.EmailClaimFallback);
        ClaimName(errors, nameof(form.HostedDomainClaim), form.HostedDomainClaim);
        if (!Enum.IsDefined(form.ClientAuthentication))
        {
            errors.Add(nameof(form.ClientAuthentication), "Choose automatic, client_secret_basic or client_secret_post.");
        }

        var badHostedDomains = DomainList(form.HostedDomains).Where(d => !SettingsValidation.IsDomain(d)).ToArray();
        if (!errors.Has(nameof(form.HostedDomains)) && badHostedDomains.Length > 0)
        {
            errors.Add(nameof(form.HostedDomains), $"These are not domain names: {string.Join(", ", badHostedDomains)}. Separate domains with commas or spaces.");
        }

        if (!errors.Has(nameof(form.HostedDomains)) && string.IsNullOrWhiteSpace(form.HostedDomainClaim) != (DomainList(form.HostedDomains).Length == 0))
        {
            errors.Add(nameof(form.HostedDomains), "Enter both the hosted-domain claim and its allowed domains, or neither.");
        }

        if (form.Enabled)
        {
            SettingsValidation.Required(errors, nameof(form.Authority), form.Authority, "Enter the authority URL to turn single sign-on on.");
            SettingsValidation.Required(errors, nameof(form.ClientId), form.ClientId, "Enter the client id to turn single sign-on on.");
            var secretAfterSave = form.ClientSecretChange.Kind switch
            {
                SecretChangeKind.Replace => true,
                SecretChangeKind.Clear => false,
                _ => storedSecret is SecretStatus.Set,
            };
            if (!secretAfterSave)
            {
                errors.Add(nameof(form.NewClientSecret), storedSecret is SecretStatus.Unreadable
                    ? "The stored client secret cannot be opened; enter it again to turn single sign-on on."
                    : "Enter the client secret to turn single sign-on on.");
            }
        }

        SecretChanges.KeepOnlyForItsDestination(
            errors,
            nameof(form.NewClientSecret),
            form.ClientSecretChange,
            storedSecret,
            OidcSettings.ClientSecretDestination(form.Authority, form.ClientId),
            "The provider or client id changed: type the client secret again, or clear it.");
        return errors.ToDictionary();
    }

    public static string? AuthorityProblem(string authority)
    {
        // Also what the discovery check runs before it fetches anything.
        if (TextInput.Problem("Authority", authority, OidcSettingsForm.AuthorityMaxLength) is { } textProblem)
        {
            return textProblem;
        }

        if (!Uri.TryCreate(authority, UriKind.Absolute, out var uri))
        {
            return "Enter the provider's address as an absolute URL, for example https://login.example.com/realms/main.";
        }

        if (uri.Scheme != Uri.UriSchemeHttps && !(uri.Scheme == Uri.UriSchemeHttp && SettingsValidation.IsLoopback(uri.Host)))
        {
            return "The authority must use https (http is allowed only for localhost and 127.0.0.1).";
        }

        if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            return "The authority has no query, fragment or user name; enter the issuer URL only.";
        }

        return null;
    }

    /// <summary>
    /// The callback path is one absolute path on this app: a single leading /, segments of letters,
    /// digits and - . _ ~ only. No scheme or host (https://…, //host), no backslash, query, fragment,
    /// empty, . or .. segment, so it can neither leave the app nor be read two ways.
    /// </summary>
    public static string? CallbackPathProblem(string? path)
    {
        const string message = "Callback path must be a single absolute path on this app, such as /signin-oidc: one leading /, then letters, digits, - . _ or ~, without a scheme or host (// or https://), backslash, ? or #, empty, . or .. part.";
        path = path?.Trim();
        if (string.IsNullOrEmpty(path) || path[0] != '/')
        {
            return message;
        }

        var segments = path[1..].Split('/');
        return segments.Any(s => s.Length == 0 || s is "." or ".." || !s.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~'))
            ? message
            : null;
    }

    /// <summary>A claim's name: printable, no spaces.</summary>
    private static void ClaimName(ValidationErrors errors, string field, string? name)
    {
        if (!errors.Has(field) && name is { Length: > 0 } && name.Trim().Any(c => c < 0x21 || c > 0x7e))
        {
            errors.Add(field, "Enter a claim name without spaces, such as upn or hd.");
        }
    }

    public static string[] ScopeList(string? scopes) =>
        (scopes ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public static string[] DomainList(string? domains) =>
        (domains ?? "").Split([',', ' ', ';', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
