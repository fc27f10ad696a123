namespace SecretAdmin.Features.Mfa;

/// <summary>Whether the person at the keyboard proved again that they are the account's owner, and if not, what to tell them.</summary>
public sealed record ReauthenticationResult(bool Confirmed, string? Message)
{
    public static ReauthenticationResult Success { get; } = new(true, null);

    public static ReauthenticationResult Refused(string message) => new(false, message);
}
