using System.Security.Cryptography;

namespace SecretAdmin.Access;

/// <summary>
/// The per-response nonce that the Content-Security-Policy allows inline scripts by. The only
/// inline script the app renders is the import map (<c>&lt;ImportMap nonce=…&gt;</c> in App.razor).
/// </summary>
public static class ScriptNonce
{
    private static readonly object Key = new();

    /// <summary>The nonce of this request, made on first use.</summary>
    public static string For(HttpContext context)
    {
        if (context.Items.TryGetValue(Key, out var existing) && existing is string nonce)
        {
            return nonce;
        }

        nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        context.Items[Key] = nonce;
        return nonce;
    }
}
