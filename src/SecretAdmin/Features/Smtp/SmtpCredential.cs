namespace SecretAdmin.Features.Smtp;

/// <summary>
/// How to sign in to the SMTP server for one delivery, with the opened secret or a way to get a
/// token. Made by the service that opened the secret, used by <see cref="SmtpMailer"/>, then dropped.
/// </summary>
public abstract record SmtpCredential
{
    private SmtpCredential()
    {
    }

    public static SmtpCredential None { get; } = new NoCredential();

    /// <summary>No AUTH.</summary>
    public sealed record NoCredential : SmtpCredential
    {
        public override string ToString() => "no sign-in";
    }

    /// <summary>AUTH PLAIN or LOGIN.</summary>
    public sealed record PasswordCredential(string Username, string Password) : SmtpCredential
    {
        public override string ToString() => $"password for {Username}";
    }

    /// <summary>AUTH XOAUTH2 for <paramref name="Username"/>; the token source is asked again with fresh = true once AUTH refuses a token.</summary>
    public sealed record OAuthCredential(string Username, Func<bool, CancellationToken, Task<string>> AccessToken) : SmtpCredential
    {
        public override string ToString() => $"OAuth token for {Username}";
    }
}
