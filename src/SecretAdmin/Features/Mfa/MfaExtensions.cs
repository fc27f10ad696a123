using SecretAdmin.Features.Mfa.Totp;

namespace SecretAdmin.Features.Mfa;

public static class MfaExtensions
{
    /// <summary>The MFA policy and each user's enrollment and code checks.</summary>
    public static IServiceCollection AddMfa(this IServiceCollection services)
    {
        services.AddSingleton<MfaPolicyService>();
        services.AddSingleton<TotpStepLedger>();
        services.AddSingleton<MfaEnrollmentService>();
        return services;
    }
}
