using System.ComponentModel.DataAnnotations;
using System.Net;

namespace SecretAdmin.Hosting;

/// <summary>
/// The reverse proxies whose X-Forwarded-For and X-Forwarded-Proto the app believes
/// (<c>ForwardedHeaders:KnownProxies</c>, <c>ForwardedHeaders:KnownNetworks</c>). When neither is
/// set, only a proxy on the same machine (loopback) is believed; setting either replaces that.
/// </summary>
public sealed class ForwardedHeadersSettings : IValidatableObject
{
    public const string Section = "ForwardedHeaders";

    /// <summary>Addresses of trusted proxies, such as <c>10.0.0.5</c> or <c>::1</c>.</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Networks of trusted proxies in CIDR notation, such as <c>10.0.0.0/8</c>.</summary>
    public List<string> KnownNetworks { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var proxy in KnownProxies.Where(p => !IPAddress.TryParse(p, out _)))
        {
            yield return new ValidationResult($"{Section}:KnownProxies: \"{proxy}\" is not an IP address (such as 10.0.0.5).", [nameof(KnownProxies)]);
        }

        foreach (var network in KnownNetworks.Where(n => !IPNetwork.TryParse(n, out _)))
        {
            yield return new ValidationResult($"{Section}:KnownNetworks: \"{network}\" is not a network in CIDR notation (such as 10.0.0.0/8).", [nameof(KnownNetworks)]);
        }
    }
}
