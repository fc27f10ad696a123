namespace SecretAdmin.Features.Smtp.OAuth;

/// <summary>The token endpoint could not be reached or refused the request. The message quotes the provider's error, never a secret.</summary>
public sealed class OAuthTokenException(string message, string? hint) : Exception(message)
{
    public string? Hint { get; } = hint;
}
