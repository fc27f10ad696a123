using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using SecretAdmin.Features.Audit;

namespace SecretAdmin.Access;

/// <summary>
/// The signed-in user and their address, as the audit log names them. In a circuit the address
/// comes from the request that opened it (set by the root component); in a request, from the request.
/// </summary>
public sealed class CurrentActor(AuthenticationStateProvider authenticationStateProvider, IHttpContextAccessor httpContextAccessor)
{
    private string? _clientIp = httpContextAccessor.HttpContext?.Connection.RemoteIpAddress?.ToString();

    /// <summary>Sets the address once, from the request that opened the circuit.</summary>
    public void UseClientIp(string? clientIp) => _clientIp ??= clientIp;

    public async Task<AuditActor> GetAsync()
    {
        var user = (await authenticationStateProvider.GetAuthenticationStateAsync()).User;
        return user.Identity?.IsAuthenticated == true
            ? new AuditActor(user.FindFirstValue(ClaimTypes.Email) ?? user.Identity.Name ?? "unknown", _clientIp)
            : AuditActor.Anonymous(_clientIp);
    }
}
