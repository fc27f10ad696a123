using Microsoft.AspNetCore.Identity;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Users;

namespace SecretAdmin.Features.Mfa.Totp;

/// <summary>
/// Identity's authenticator provider, over the sealed TOTP secret: Identity's two-factor sign-in
/// (and its lockout counting) checks codes here, each time step once.
/// </summary>
public sealed class SealedTotpTokenProvider(IServiceProvider services) : IUserTwoFactorTokenProvider<SecretAdminUser>
{
    // An enrolled user whose secret cannot be opened still needs a second factor: the check fails closed.
    public Task<bool> CanGenerateTwoFactorTokenAsync(UserManager<SecretAdminUser> manager, SecretAdminUser user) =>
        Task.FromResult(user.TwoFactorEnabled && user.TotpSecret.IsStored);

    public Task<string> GenerateAsync(string purpose, UserManager<SecretAdminUser> manager, SecretAdminUser user) =>
        throw new NotSupportedException("Authenticator codes come from the user's app; the server never generates one.");

    public Task<bool> ValidateAsync(string purpose, string token, UserManager<SecretAdminUser> manager, SecretAdminUser user)
    {
        // Resolved here, not in the constructor: UserManager builds every provider, also where MFA is not registered.
        var mfa = services.GetRequiredService<MfaEnrollmentService>();
        return mfa.CheckSignInCodeAsync(user, token, policy: null);
    }
}
