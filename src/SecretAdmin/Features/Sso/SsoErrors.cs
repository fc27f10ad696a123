using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace SecretAdmin.Features.Sso;

public enum SsoErrorKind
{
    Unavailable,
    ClientRejected,
    ProviderUnreachable,
    ProviderError,
    Cancelled,
    Expired,
    NotLinked,
    EmailInUse,
    HostedDomainNotAllowed,
    NoEmail,
    DomainNotAllowed,
    Disabled,
    LockedOut,
    IssuerMismatch,
    TokenExpired,
    TokenAudience,
    TokenSignature,
    TokenNonce,
}

/// <summary>What went wrong with single sign-on, in words a person can act on; never a value from the exchange.</summary>
public static class SsoErrors
{
    public static string PathFor(SsoErrorKind kind) => $"{SsoDefaults.Error}?reason={Code(kind)}";

    public static string Code(SsoErrorKind kind) => kind switch
    {
        SsoErrorKind.Unavailable => "unavailable",
        SsoErrorKind.ClientRejected => "client-rejected",
        SsoErrorKind.ProviderUnreachable => "provider-unreachable",
        SsoErrorKind.ProviderError => "provider-error",
        SsoErrorKind.Cancelled => "cancelled",
        SsoErrorKind.Expired => "expired",
        SsoErrorKind.NotLinked => "not-linked",
        SsoErrorKind.EmailInUse => "email-in-use",
        SsoErrorKind.HostedDomainNotAllowed => "hosted-domain-not-allowed",
        SsoErrorKind.NoEmail => "no-email",
        SsoErrorKind.DomainNotAllowed => "domain-not-allowed",
        SsoErrorKind.Disabled => "disabled",
        SsoErrorKind.LockedOut => "locked-out",
        SsoErrorKind.IssuerMismatch => "issuer-mismatch",
        SsoErrorKind.TokenExpired => "token-expired",
        SsoErrorKind.TokenAudience => "token-audience",
        SsoErrorKind.TokenSignature => "token-signature",
        SsoErrorKind.TokenNonce => "token-nonce",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static SsoErrorKind? FromCode(string? code) =>
        Enum.GetValues<SsoErrorKind>().Cast<SsoErrorKind?>().FirstOrDefault(kind => Code(kind!.Value) == code);

    public static (string Title, string Message) Describe(SsoErrorKind? kind) => kind switch
    {
        SsoErrorKind.Unavailable => ("Single sign-on is not available",
            "Single sign-on is turned off or its settings are incomplete or cannot be used right now. Sign in with your password, or ask an administrator to check the single sign-on settings."),
        SsoErrorKind.ClientRejected => ("The identity provider refused SecretAdmin",
            "The provider did not accept SecretAdmin's client id or client secret. An administrator needs to check them on the single sign-on settings page."),
        SsoErrorKind.ProviderUnreachable => ("The identity provider could not be reached",
            "SecretAdmin could not talk to the identity provider. Try again in a moment; if it keeps happening, an administrator should check the authority URL."),
        SsoErrorKind.ProviderError => ("The identity provider did not complete the sign-in",
            "The provider answered with an error. Try again; if it keeps happening, an administrator should check the single sign-on settings and the provider's log."),
        SsoErrorKind.Cancelled => ("Sign-in was cancelled", "The identity provider reported that the sign-in was cancelled or not allowed. You can try again."),
        SsoErrorKind.Expired => ("The sign-in took too long or was started elsewhere",
            "The answer from the identity provider did not match a sign-in started in this browser. Start again from the sign-in page."),
        SsoErrorKind.NotLinked => ("This account may not sign in here",
            "You signed in at the identity provider, but no SecretAdmin user is linked to that account and new users are not created automatically. Ask an administrator for access."),
        SsoErrorKind.EmailInUse => ("Your SecretAdmin user is not linked to this account",
            "A SecretAdmin user with your email address exists, but it is not linked to this identity provider account: linking by email is off, or the provider did not say the address is verified. Sign in with your password, or ask an administrator to link the accounts."),
        SsoErrorKind.NoEmail => ("The identity provider sent no email address",
            "SecretAdmin needs an email address to create your user, and the provider did not send one for your account. An administrator can check that the provider releases the email claim, or name another claim that holds the address (such as upn or preferred_username) in the single sign-on settings."),
        SsoErrorKind.HostedDomainNotAllowed => ("This organisation may not sign in here",
            "Your identity provider account belongs to an organisation or hosted domain that SecretAdmin does not accept. Ask an administrator for access."),
        SsoErrorKind.DomainNotAllowed => ("This email domain may not sign in here",
            "Your email address is not in a domain that SecretAdmin accepts for new users. Ask an administrator for access."),
        SsoErrorKind.Disabled => ("This user is disabled", "An administrator has disabled your SecretAdmin user. Ask one to enable it."),
        SsoErrorKind.LockedOut => ("This user is locked", "Too many failed attempts locked your SecretAdmin user for a while. Try again later or ask an administrator to unlock it."),
        SsoErrorKind.IssuerMismatch => ("The identity provider is not the one configured",
            "The provider names another issuer than the authority in SecretAdmin's single sign-on settings, so its answer is not trusted. An administrator needs to check the authority URL; nobody was signed in."),
        SsoErrorKind.TokenExpired => ("The identity provider's answer has expired",
            "The ID token was outside its validity period. Try again; if it keeps happening, the clocks of SecretAdmin's server and the provider differ, and an administrator should set them right."),
        SsoErrorKind.TokenAudience => ("The identity provider's answer was for another application",
            "The ID token was not issued to SecretAdmin's client id. An administrator should check the client id in the single sign-on settings."),
        SsoErrorKind.TokenSignature => ("The identity provider's answer could not be verified",
            "The ID token's signature did not match the provider's published keys. Try again; if it keeps happening, an administrator should check the authority URL and the provider's signing keys."),
        SsoErrorKind.TokenNonce => ("The sign-in could not be matched to this browser",
            "The provider's answer did not carry the one-time value of a sign-in started here. Start again from the sign-in page."),
        _ => ("Single sign-on did not work", "Start again from the sign-in page."),
    };

    /// <summary>Sorts a failure of the provider step by its kind (from the protocol error code or the exception type).</summary>
    public static SsoErrorKind Classify(Exception? failure)
    {
        for (var e = failure; e is not null; e = e.InnerException)
        {
            if (e is OpenIdConnectProtocolException && e.Data["error"] is string error)
            {
                return error switch
                {
                    "invalid_client" or "unauthorized_client" => SsoErrorKind.ClientRejected,
                    "access_denied" or "login_required" or "consent_required" or "interaction_required" => SsoErrorKind.Cancelled,
                    _ => SsoErrorKind.ProviderError,
                };
            }

            // An answer with an error status was not a failure to reach the provider.
            if (e is HttpRequestException { StatusCode: not null })
            {
                return SsoErrorKind.ProviderError;
            }

            if (e is HttpRequestException or TaskCanceledException or IOException)
            {
                return SsoErrorKind.ProviderUnreachable;
            }

            switch (e)
            {
                case SecurityTokenInvalidIssuerException:
                    return SsoErrorKind.IssuerMismatch;
                case SecurityTokenExpiredException or SecurityTokenNotYetValidException or SecurityTokenNoExpirationException:
                    return SsoErrorKind.TokenExpired;
                case SecurityTokenInvalidAudienceException:
                    return SsoErrorKind.TokenAudience;
                case SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException or SecurityTokenInvalidAlgorithmException:
                    return SsoErrorKind.TokenSignature;
                case OpenIdConnectProtocolInvalidNonceException:
                    return SsoErrorKind.TokenNonce;
            }
        }

        // The handler reports a missing or mismatched correlation cookie and an unreadable state in its message only.
        var message = failure?.Message ?? "";
        return message.Contains("Correlation failed", StringComparison.Ordinal) || message.Contains("state", StringComparison.OrdinalIgnoreCase)
            ? SsoErrorKind.Expired
            : SsoErrorKind.ProviderError;
    }
}
