using SecretAdmin.Data;
using SecretAdmin.Security;

namespace SecretAdmin.Features.Keys;

/// <summary>Keys other than the data keys that the master key wraps (the session keys): re-wrapped inside a master-key rotation's transaction.</summary>
public interface ISessionKeyRewrap
{
    /// <summary>Re-wraps every stored key from <paramref name="from"/> to <paramref name="to"/> through <paramref name="db"/>, without saving; returns how many.</summary>
    Task<int> RewrapAsync(SecretAdminDbContext db, IMasterKey from, IMasterKey to, CancellationToken cancellationToken);
}
