namespace SecretAdmin.Features.Oidc;

/// <summary>
/// The single sign-on button reads "Sign in with" and the provider's name; the label stored in the
/// settings is that name. A label typed or stored as the whole text ("Sign in with Contoso") gives
/// the name without the prefix, so the button never says it twice.
/// </summary>
public static class SsoButtonLabel
{
    public const string Prefix = "Sign in with";

    /// <summary>The provider's name in <paramref name="label"/>: trimmed, without a leading "Sign in with".</summary>
    public static string NameOf(string? label)
    {
        var trimmed = (label ?? "").Trim();
        if (trimmed.Length > Prefix.Length
            && trimmed.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase)
            && char.IsWhiteSpace(trimmed[Prefix.Length]))
        {
            return trimmed[Prefix.Length..].TrimStart();
        }

        return trimmed;
    }

    /// <summary>What the button on the sign-in page says for <paramref name="label"/>.</summary>
    public static string ButtonText(string? label) => $"{Prefix} {NameOf(label)}";
}
