namespace SecretAdmin.Access;

/// <summary>Return addresses after sign-in: only paths of this app, never another site.</summary>
public static class LocalRedirect
{
    /// <summary><paramref name="returnUrl"/> when it is a local path, else <c>/</c>.</summary>
    public static string Sanitize(string? returnUrl) => IsLocal(returnUrl) ? returnUrl! : "/";

    public static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url)
        && url[0] == '/'
        && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'))
        && !url.Any(char.IsControl);
}
