namespace SecretAdmin.Tests.Support.Peers;

/// <summary>
/// How the <see cref="SmtpPeer"/> is configured (tests/peers/smtp-server.mjs), so a test meets a mail
/// server set up the way a real one is: Microsoft 365 or Gmail with OAuth 2.0 (XOAUTH2), basic
/// authentication switched off, senders and recipients it refuses, messages it defers. Every property
/// left at its default keeps the peer as it always was: no AUTH, plain text, every message accepted.
/// </summary>
public sealed record SmtpPeerOptions
{
    /// <summary>With <see cref="Password"/>: AUTH PLAIN/LOGIN is advertised and only this pair accepted.</summary>
    public string? User { get; init; }

    public string? Password { get; init; }

    public SmtpPeer.Security Security { get; init; } = SmtpPeer.Security.None;

    /// <summary>The port to listen on; 0 for any free one. A fixed port lets a test bring a server back where it was.</summary>
    public int Port { get; init; }

    /// <summary>AUTH XOAUTH2 is advertised and required, each bearer token checked at the OIDC peer's introspection endpoint.</summary>
    public XOAuth2Check? XOAuth2 { get; init; }

    /// <summary>
    /// AUTH PLAIN/LOGIN are advertised but every attempt gets "535 5.7.139 Authentication unsuccessful,
    /// basic authentication is disabled." (Microsoft 365).
    /// </summary>
    public bool BasicAuthDisabled { get; init; }

    /// <summary>MAIL FROM these addresses gets "550 5.7.60 SMTP; Client does not have permissions to send as this sender".</summary>
    public IReadOnlyList<string> RefusedSenders { get; init; } = [];

    /// <summary>RCPT TO these addresses gets "550 5.1.1 User unknown".</summary>
    public IReadOnlyList<string> RefusedRecipients { get; init; } = [];

    /// <summary>The first this many messages (DATA) get "451 4.3.0 Temporary failure, try again later".</summary>
    public int FailFirst { get; init; }

    /// <summary>The peer script's command-line options.</summary>
    public IEnumerable<string> Arguments()
    {
        if ((User is null) != (Password is null))
        {
            throw new ArgumentException("Give both a user and a password, or neither.");
        }

        if (User is not null && User.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException("The SMTP peer's user name cannot contain ':'.");
        }

        yield return "--secure-mode";
        yield return Security switch
        {
            SmtpPeer.Security.None => "none",
            SmtpPeer.Security.StartTls => "starttls",
            SmtpPeer.Security.Tls => "tls",
            _ => throw new InvalidOperationException($"Unknown security {Security}."),
        };

        if (User is not null)
        {
            yield return "--auth";
            yield return $"{User}:{Password}";
        }

        if (XOAuth2 is { } check)
        {
            if (check.ResourceServer.ClientId.Contains(':', StringComparison.Ordinal))
            {
                throw new ArgumentException("The resource server's client id cannot contain ':'.");
            }

            yield return "--xoauth2";
            yield return check.IntrospectionEndpoint;
            yield return "--xoauth2-client";
            yield return $"{check.ResourceServer.ClientId}:{check.ResourceServer.ClientSecret}";
            if (check.RequiredScope is not null)
            {
                yield return "--xoauth2-scope";
                yield return check.RequiredScope;
            }

            if (check.TokenUses is { } uses)
            {
                yield return "--xoauth2-token-uses";
                yield return uses.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        if (BasicAuthDisabled)
        {
            yield return "--basic-auth-disabled";
        }

        foreach (var sender in RefusedSenders)
        {
            yield return "--refuse-sender";
            yield return sender;
        }

        foreach (var recipient in RefusedRecipients)
        {
            yield return "--refuse-recipient";
            yield return recipient;
        }

        if (FailFirst > 0)
        {
            yield return "--fail-first";
            yield return FailFirst.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    /// <summary>
    /// How the peer checks XOAUTH2 bearer tokens: introspection (RFC 7662) at <paramref name="IntrospectionEndpoint"/>
    /// as <paramref name="ResourceServer"/>; accepted when active, the user name is not empty, the token's scope
    /// lists <paramref name="RequiredScope"/> (if given), and it has been accepted fewer than
    /// <paramref name="TokenUses"/> times (if given). A refusal is XOAUTH2's 334 error challenge, then
    /// "535 5.7.3 Authentication unsuccessful".
    /// </summary>
    public sealed record XOAuth2Check(string IntrospectionEndpoint, OidcPeerResourceServer ResourceServer, string? RequiredScope = null, int? TokenUses = null)
    {
        /// <summary>Checks tokens at <paramref name="oidc"/>, which must have been started with a resource server.</summary>
        public static XOAuth2Check Against(OidcPeer oidc, string? requiredScope = null, int? tokenUses = null) =>
            new(
                oidc.IntrospectionEndpoint ?? throw new InvalidOperationException("Start the OIDC peer with a resource server (OidcPeer.StartAsync(..., resourceServer: OidcPeerResourceServer.Default)) so the SMTP peer can introspect tokens."),
                oidc.ResourceServer!,
                requiredScope,
                tokenUses);
    }
}
