using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace SecretAdmin.Features.Users;

/// <summary>
/// The token in an invitation link: Data Protection keyed (shared by every node), bound to the user's
/// security stamp so it stops working once the password is set, and valid for seven days.
/// </summary>
public sealed class InvitationTokenProvider(IDataProtectionProvider dataProtectionProvider, IOptions<InvitationTokenProviderOptions> options, ILogger<DataProtectorTokenProvider<SecretAdminUser>> logger)
    : DataProtectorTokenProvider<SecretAdminUser>(dataProtectionProvider, options, logger)
{
    public const string ProviderName = "Invitation";

    public const string Purpose = "invitation";
}
