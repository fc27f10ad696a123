using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using SecretAdmin.Data;
using SecretAdmin.Features.Account;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Mfa;
using SecretAdmin.Features.Users;
using SecretAdmin.Access;

namespace SecretAdmin.Hosting;

internal static class AccountsHostingExtensions
{
    /// <summary>Users, roles and the audit log: what the web app and the command line share.</summary>
    public static IHostApplicationBuilder AddSecretAdminUsers(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSecretAdminUserServices();
        return builder;
    }

    public static IServiceCollection AddSecretAdminUserServices(this IServiceCollection services)
    {
        // Cookies, antiforgery and Identity's tokens use Data Protection; its keys live in the data folder.
        services.AddDataProtection().SetApplicationName("SecretAdmin");
        services.AddOptions<KeyManagementOptions>()
            .Configure<DataDirectory, ILoggerFactory>((options, data, loggers) =>
                options.XmlRepository = new FileSystemXmlRepository(new DirectoryInfo(data.DataProtectionKeysFolder), loggers));

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
            .AddSignInManager<SecretAdminSignInManager>()
            .AddClaimsPrincipalFactory<SecretAdminUserClaimsPrincipalFactory>()
            .AddDefaultTokenProviders()
            .AddTokenProvider<SealedTotpTokenProvider>(TokenOptions.DefaultAuthenticatorProvider);
        services.AddHttpContextAccessor();

        // The sign-in manager needs the authentication schemes, also in the command line (which
        // signs nobody in) so the container validates there as in the web app.
        services.AddAuthenticationCore();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<UserAdminService>();
        services.AddSingleton<AccountProfileService>();
        return services;
    }

    /// <summary>Cookies, policies, and the Blazor authentication state.</summary>
    public static IHostApplicationBuilder AddSecretAdminSignIn(this IHostApplicationBuilder builder)
    {
        builder.Services.AddAuthentication(options =>
            {
                options.DefaultScheme = IdentityConstants.ApplicationScheme;
                options.DefaultSignInScheme = IdentityConstants.ExternalScheme;
            })
            .AddIdentityCookies(cookies => cookies.ApplicationCookie!.Configure(options =>
            {
                options.Cookie.Name = "SecretAdmin.Session";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Lax;
                options.LoginPath = AccountPaths.Login;
                options.LogoutPath = AccountPaths.Logout;
                options.AccessDeniedPath = AccountPaths.AccessDenied;
                options.ExpireTimeSpan = TimeSpan.FromHours(8);
                options.SlidingExpiration = true;

                // A signed-in user on an administrators' page gets 403 and the access-denied page, not a redirect.
                options.Events.OnRedirectToAccessDenied = context =>
                {
                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    return Task.CompletedTask;
                };
            }));

        // A disabled user, a revoked role or a changed password reaches open sessions within a minute.
        builder.Services.Configure<SecurityStampValidatorOptions>(options => options.ValidationInterval = TimeSpan.FromMinutes(1));

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Admin, policy => policy.RequireAuthenticatedUser().RequireRole(Roles.Admin).AddRequirements(new NoPendingAccountStepRequirement()))
            .AddPolicy(Policies.SignedIn, policy => policy.RequireAuthenticatedUser().AddRequirements(new NoPendingAccountStepRequirement()))
            .AddPolicy(Policies.AccountSteps, policy => policy.RequireAuthenticatedUser())
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());

        builder.Services.AddSingleton<RequiredAccountSteps>();
        builder.Services.AddSingleton<IAuthorizationHandler, NoPendingAccountStepHandler>();
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddScoped<AuthenticationStateProvider, RevalidatingIdentityAuthenticationStateProvider>();
        builder.Services.AddScoped<CurrentActor>();
        builder.Services.AddSingleton<UnknownAccountThrottle>();
        builder.Services.AddScoped<PasswordSignIn>();
        builder.Services.AddScoped<PasswordChange>();
        builder.Services.AddScoped<SecondFactorSignIn>();
        return builder;
    }
}
