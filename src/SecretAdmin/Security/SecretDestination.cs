using System.Text;

namespace SecretAdmin.Security;

/// <summary>
/// The canonical text of where a secret authenticates, such as
/// <c>smtp:host=mail.example.com;port=587;security=starttls;username=alerts%40example.com</c>:
/// a kind, then <c>name=value</c> pairs in a fixed order, each value percent-encoded (RFC 3986), so
/// no two destinations share a text. It ends the envelope's associated data.
/// </summary>
public static class SecretDestination
{
    public static string Of(string kind, params ReadOnlySpan<(string Name, string? Value)> parts)
    {
        var text = new StringBuilder(kind).Append(':');
        for (var i = 0; i < parts.Length; i++)
        {
            if (i > 0)
            {
                text.Append(';');
            }

            text.Append(parts[i].Name).Append('=').Append(Uri.EscapeDataString(parts[i].Value ?? string.Empty));
        }

        return text.ToString();
    }

    /// <summary>A host name as it is connected to: lower case, without a trailing dot or surrounding spaces.</summary>
    public static string Host(string host) => host.Trim().TrimEnd('.').ToLowerInvariant();
}
