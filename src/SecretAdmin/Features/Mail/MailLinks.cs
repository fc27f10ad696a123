using Microsoft.Extensions.Options;

namespace SecretAdmin.Features.Mail;

/// <summary>
/// Links in mail point at <c>SecretAdmin:PublicUrl</c>, the address users reach this app at — never
/// at the Host of the request that caused the mail, which a stranger chooses (a reset link for a
/// victim would otherwise carry its token to the stranger's host). Without it, no mail with a link is sent.
/// </summary>
public sealed class MailLinks(IOptions<MailLinkOptions> options)
{
    /// <summary>Why links cannot be made, for a page to show; null when they can.</summary>
    public string? Unavailable => Base is null
        ? "Mail with a link needs SecretAdmin:PublicUrl, the address users reach this app at (for example https://admin.example.com)."
        : null;

    private Uri? Base => options.Value.PublicUrl is { Length: > 0 } url && Uri.TryCreate(url.TrimEnd('/') + "/", UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.Fragment)
            ? uri
            : null;

    /// <summary>The absolute link to <paramref name="path"/> (relative to the public address) with <paramref name="query"/>.</summary>
    public string To(string path, params (string Name, string Value)[] query)
    {
        var root = Base ?? throw new InvalidOperationException(Unavailable);
        var link = new Uri(root, path.TrimStart('/')).AbsoluteUri;
        return query.Length == 0 ? link : $"{link}?{string.Join('&', query.Select(q => $"{Uri.EscapeDataString(q.Name)}={Uri.EscapeDataString(q.Value)}"))}";
    }
}
