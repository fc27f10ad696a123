namespace SecretAdmin.Tests.Features.Settings;

/// <summary>
/// Text values the settings must refuse — control characters of each class, bidi and other
/// invisible formatting characters, values over a field's bound, callback paths that leave the
/// app, mail headers smuggled into a name — by case name, so test names stay readable and
/// the values never pass through the test runner's serializer.
/// </summary>
public static class BadTextValues
{
    public const string ControlMessage = "must not contain control characters (such as line breaks, tabs or escapes) or invisible formatting characters (such as direction marks)";
    public const string CallbackMessage = "Callback path must be a single absolute path on this app";

    /// <param name="Area">oidc, smtp or mfa: the service and the <c>settings &lt;area&gt; set</c> command.</param>
    /// <param name="Field">The form's property.</param>
    /// <param name="Option">The command's option for it.</param>
    /// <param name="Expected">The start of the message on the field, which names it.</param>
    public sealed record Case(string Area, string Field, string Option, string Value, string Expected);

    public static readonly IReadOnlyDictionary<string, Case> All = Build();

    /// <summary>Every case, for the service tests.</summary>
    public static TheoryData<string> Names => new(All.Keys);

    /// <summary>
    /// The cases the command line is tried with: those reported from outside and one of each kind,
    /// each a process start or two, so not all of them.
    /// </summary>
    public static TheoryData<string> CommandLineNames => new(
        "oidc authority SOH", "oidc client id ESC sequence", "oidc button label NUL", "oidc button label U+202E", "oidc role claim U+2066",
        "oidc callback //evil.example/cb", "oidc callback https://evil/cb", "oidc callback /cb?x=1", @"oidc callback \\evil",
        "smtp from name CRLF Bcc", "smtp username CRLF AUTH", "smtp from address with a display name", "mfa issuer SOH", "mfa issuer 201 characters");

    public static Case Get(string name) => All[name];

    private static Dictionary<string, Case> Build()
    {
        var cases = new Dictionary<string, Case>(StringComparer.Ordinal);
        void Control(string name, string area, string field, string option, string label, string value) =>
            cases.Add(name, new Case(area, field, option, value, $"{label} {ControlMessage}"));
        void TooLong(string name, string area, string field, string option, string label, string value, int max) =>
            cases.Add(name, new Case(area, field, option, value, $"{label} must be at most {max} characters."));

        // What was reported: control characters in each text setting.
        Control("oidc authority SOH", "oidc", "Authority", "--authority", "Authority", "https://login.example.test/\u0001");
        Control("oidc client id ESC sequence", "oidc", "ClientId", "--client-id", "Client id", "app\u001B[2J\u001B]0;owned\u0007");
        Control("oidc button label NUL", "oidc", "ButtonLabel", "--button-label", "Provider name on the button", "Contoso\0SSO");
        Control("oidc button label CRLF", "oidc", "ButtonLabel", "--button-label", "Provider name on the button", "Sign in\r\nwith Contoso");
        Control("oidc button label U+202E", "oidc", "ButtonLabel", "--button-label", "Provider name on the button", "Sign in \u202Eexe.osotnoC");
        Control("oidc role claim U+2066", "oidc", "RoleClaimType", "--role-claim-type", "Role or group claim", "groups\u2066");
        Control("oidc admin value LF", "oidc", "AdminRoleValue", "--admin-role-value", "Administrator value", "admin\n");
        Control("oidc scopes TAB", "oidc", "Scopes", "--scopes", "Scopes", "openid\tprofile");
        Control("oidc email claim ESC", "oidc", "EmailClaimFallback", "--email-claim-fallback", "Email claim when email is missing", "upn\u001B");
        Control("oidc hosted claim DEL", "oidc", "HostedDomainClaim", "--hosted-domain-claim", "Hosted-domain claim", "hd\u007F");
        Control("oidc domains LF", "oidc", "AllowedEmailDomains", "--allowed-email-domains", "Allowed email domains", "example.com\nevil.example");
        Control("oidc hosted domains U+FEFF", "oidc", "HostedDomains", "--hosted-domains", "Allowed hosted domains", "\uFEFFexample.com");
        Control("smtp username CRLF AUTH", "smtp", "Username", "--username", "Username", "user\r\nAUTH PLAIN");
        Control("smtp username TAB", "smtp", "Username", "--username", "Username", "user\tname");
        Control("smtp username NUL", "smtp", "Username", "--username", "Username", "user\0");
        Control("smtp from name CRLF Bcc", "smtp", "FromName", "--from-name", "From name", "Name\r\nBcc: victim@evil.example");
        Control("smtp from name U+200F", "smtp", "FromName", "--from-name", "From name", "Name\u200F");
        Control("smtp from address CRLF Bcc", "smtp", "FromAddress", "--from", "From address", "no-reply@example.test\r\nBcc: victim@evil.example");
        Control("smtp host SOH", "smtp", "Host", "--host", "Host", "smtp.example.test\u0001");
        Control("mfa issuer SOH", "mfa", "Issuer", "--issuer", "Issuer", "\u0001Contoso");
        Control("mfa issuer ESC sequence", "mfa", "Issuer", "--issuer", "Issuer", "Contoso\u001B[31m");
        Control("mfa issuer C1 CSI", "mfa", "Issuer", "--issuer", "Issuer", "Contoso\u009B2J");
        Control("mfa issuer C1 NEL", "mfa", "Issuer", "--issuer", "Issuer", "Contoso\u0085");

        // Every C0 class member the reports named, and each bidi control, isolate and mark, in the button label.
        foreach (var c in new[] { '\u0000', '\u0001', '\u0007', '\u0008', '\u0009', '\u000A', '\u000B', '\u000C', '\u000D', '\u001B', '\u001F', '\u007F', '\u0080', '\u009F' })
        {
            Control($"oidc button label U+{(int)c:X4}", "oidc", "ButtonLabel", "--button-label", "Provider name on the button", $"Sign{c}in");
        }

        foreach (var c in new[] { '\u061C', '\u200B', '\u200C', '\u200D', '\u200E', '\u200F', '\u202A', '\u202B', '\u202C', '\u202D', '\u2028', '\u2029', '\u2060', '\u2066', '\u2067', '\u2068', '\u2069', '\uFEFF' })
        {
            if (!cases.ContainsKey($"oidc button label U+{(int)c:X4}"))
            {
                Control($"oidc button label U+{(int)c:X4}", "oidc", "ButtonLabel", "--button-label", "Provider name on the button", $"Sign{c}in");
            }
        }

        // Over each bound.
        TooLong("oidc button label 101 characters", "oidc", "ButtonLabel", "--button-label", "Provider name on the button", new string('x', 101), 100);
        TooLong("oidc authority 2001 characters", "oidc", "Authority", "--authority", "Authority", "https://login.example.test/" + new string('a', 2001 - 26), 2000);
        TooLong("oidc client id 501 characters", "oidc", "ClientId", "--client-id", "Client id", new string('c', 501), 500);
        TooLong("oidc scopes 1001 characters", "oidc", "Scopes", "--scopes", "Scopes", "openid " + new string('s', 1001 - 7), 1000);
        TooLong("oidc callback 201 characters", "oidc", "CallbackPath", "--callback-path", "Callback path", "/" + new string('p', 200), 200);
        TooLong("oidc role claim 201 characters", "oidc", "RoleClaimType", "--role-claim-type", "Role or group claim", new string('r', 201), 200);
        TooLong("oidc admin value 201 characters", "oidc", "AdminRoleValue", "--admin-role-value", "Administrator value", new string('a', 201), 200);
        TooLong("oidc email claim 201 characters", "oidc", "EmailClaimFallback", "--email-claim-fallback", "Email claim when email is missing", new string('e', 201), 200);
        TooLong("smtp host 254 characters", "smtp", "Host", "--host", "Host", new string('h', 254), 253);
        TooLong("smtp username 321 characters", "smtp", "Username", "--username", "Username", new string('u', 321), 320);
        TooLong("smtp from name 201 characters", "smtp", "FromName", "--from-name", "From name", new string('n', 201), 200);
        TooLong("mfa issuer 101 characters", "mfa", "Issuer", "--issuer", "Issuer", new string('i', 101), 100);
        TooLong("mfa issuer 201 characters", "mfa", "Issuer", "--issuer", "Issuer", new string('i', 201), 100);

        // A callback path is one absolute path on this app.
        foreach (var path in new[] { "//evil.example/cb", "https://evil/cb", "/cb?x=1", @"\\evil", "/cb#top", "/a/../cb", "/./cb", @"/cb\evil", "/", "/a//b", "cb", "/%2e%2e/cb", "/cb/" })
        {
            cases.Add($"oidc callback {path}", new Case("oidc", "CallbackPath", "--callback-path", path, CallbackMessage));
        }

        // The from address is a bare address MimeKit reads as typed.
        cases.Add("smtp from address with a display name", new Case("smtp", "FromAddress", "--from", "Evil <no-reply@example.test>", "Enter the address mail is sent from"));
        cases.Add("smtp from address with a comment", new Case("smtp", "FromAddress", "--from", "no-reply(comment@example.test", "Enter the address mail is sent from"));
        cases.Add("smtp from address two addresses", new Case("smtp", "FromAddress", "--from", "a@example.test,b@example.test", "Enter the address mail is sent from"));
        return cases;
    }
}
