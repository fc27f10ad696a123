using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;

namespace SecretAdmin.Features.Mfa.Passkeys;

/// <summary>
/// Holds a passkey ceremony's state (its challenge, and the user it is for) between the options the
/// browser asked for and the credential it sends back: in a cookie of its own, encrypted and
/// authenticated with the app's Data Protection keys (shared by every node), for five minutes,
/// and taken once. Identity keeps this state in the two-factor cookie, which would drop a sign-in
/// waiting for its second step.
/// </summary>
public sealed class PasskeyCeremony(IDataProtectionProvider dataProtection)
{
    public const string CookieName = "SecretAdmin.Passkey";
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    private readonly ITimeLimitedDataProtector _protector =
        dataProtection.CreateProtector("SecretAdmin.Passkeys.Ceremony").ToTimeLimitedDataProtector();

    public void Begin(HttpContext context, PasskeyOperation operation, string state)
    {
        var payload = JsonSerializer.Serialize(new Stored(operation, state));
        context.Response.Cookies.Append(CookieName, _protector.Protect(payload, Lifetime), Options(context));
    }

    /// <summary>The state of a ceremony of <paramref name="operation"/> begun in this browser, or null (none, expired, tampered, or another kind); the cookie is removed either way.</summary>
    public string? Take(HttpContext context, PasskeyOperation operation)
    {
        if (!context.Request.Cookies.TryGetValue(CookieName, out var protectedPayload))
        {
            return null;
        }

        context.Response.Cookies.Delete(CookieName, Options(context));
        try
        {
            var stored = JsonSerializer.Deserialize<Stored>(_protector.Unprotect(protectedPayload));
            return stored is not null && stored.Operation == operation ? stored.State : null;
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or JsonException)
        {
            return null;
        }
    }

    private static CookieOptions Options(HttpContext context) => new()
    {
        HttpOnly = true,
        Secure = context.Request.IsHttps,
        SameSite = SameSiteMode.Strict,
        Path = "/",
        MaxAge = Lifetime,
        IsEssential = true,
    };

    private sealed record Stored(PasskeyOperation Operation, string State);
}

/// <summary>The two passkey ceremonies: making a new one, and signing in with one.</summary>
public enum PasskeyOperation
{
    Registration,
    SignIn,
}
