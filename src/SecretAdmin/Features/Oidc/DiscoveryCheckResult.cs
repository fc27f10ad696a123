namespace SecretAdmin.Features.Oidc;

/// <summary>The outcome of checking a provider's discovery document: fine, or what is wrong, in words a person can act on.</summary>
public sealed record DiscoveryCheckResult(bool Succeeded, string Message, IReadOnlyList<string> Details)
{
    public static DiscoveryCheckResult Ok(string message, IReadOnlyList<string> details) => new(true, message, details);

    public static DiscoveryCheckResult Failed(string message) => new(false, message, []);
}
