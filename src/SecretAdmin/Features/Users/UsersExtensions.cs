using Microsoft.AspNetCore.Identity;
using SecretAdmin.Data;
using SecretAdmin.Features.Account;
using SecretAdmin.Features.Mfa;
using SecretAdmin.Features.Mfa.Totp;

namespace SecretAdmin.Features.Users;

public static class UsersExtensions
{
    /// <summary>Identity's users, roles, passwords, lockout and token providers (the TOTP one sealed; invitations and resets one-time), and the users' administration.</summary>
    public static IServiceCollection AddUsers(this IServiceCollection services)
    {
        services.AddIdentityCore<SecretAdminUser>(options =>
            {
                options.User.RequireUniqueEmail = true;
                options.Password.RequiredLength = 12;
                options.Password.RequireNonAlphanumeric = false;
                options.Lockout.AllowedForNewUsers = true;
                options.Lockout.MaxFailedAccessAttempts = 5;
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(5);
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<SecretAdminDbContext>()
            .AddUserStore<SecretAdminUserStore>()
            .AddSignInManager<SecretAdminSignInManager>()
            .AddClaimsPrincipalFactory<SecretAdminUserClaimsPrincipalFactory>()
            .AddDefaultTokenProviders()
            .AddTokenProvider<SealedTotpTokenProvider>(TokenOptions.DefaultAuthenticatorProvider)
            .AddTokenProvider<InvitationTokenProvider>(InvitationTokenProvider.ProviderName);

        // A password reset link works for 30 minutes, and only until the password changes.
        services.Configure<DataProtectionTokenProviderOptions>(options => options.TokenLifespan = TimeSpan.FromMinutes(30));
        services.AddHttpContextAccessor();

        // The sign-in manager needs the authentication schemes, also in the command line (which
        // signs nobody in) so the container validates there as in the web app.
        services.AddAuthenticationCore();
        services.AddSingleton<UserAdminService>();
        services.AddSingleton<SignInAttempts>();
        return services;
    }
}
