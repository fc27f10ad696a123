using Microsoft.AspNetCore.Identity;

namespace SecretAdmin.Features.Users;

public sealed class InvitationTokenProviderOptions : DataProtectionTokenProviderOptions
{
    public static readonly TimeSpan Lifespan = TimeSpan.FromDays(7);

    public InvitationTokenProviderOptions()
    {
        Name = "InvitationDataProtectorTokenProvider";
        TokenLifespan = Lifespan;
    }
}
