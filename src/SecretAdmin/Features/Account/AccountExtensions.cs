using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using SecretAdmin.Access;

namespace SecretAdmin.Features.Account;

public static class AccountExtensions
{
    /// <summary>What a user changes of their own account, for the web app and the command line alike.</summary>
    public static IServiceCollection AddAccountProfiles(this IServiceCollection services) =>
        services.AddSingleton<AccountProfileService>();

    /// <summary>
    /// Sign-in for the web app: the session cookie, the authorization policies (a pending account
    /// step keeps a user out of everything else), the sign-in steps and the account page.
    /// </summary>
    public static IHostApplicationBuilder AddAccounts(this IHostApplicationBuilder builder)
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
        builder.Services.AddSingleton<DecoyPasswordHash>();
        builder.Services.AddScoped<PasswordSignIn>();
        builder.Services.AddScoped<PasswordChange>();
        builder.Services.AddScoped<PasswordLinks>();
        builder.Services.AddScoped<SecondFactorSignIn>();
        builder.Services.AddScoped<PasskeySignIn>();
        builder.Services.AddScoped(services => (SecretAdminSignInManager)services.GetRequiredService<SignInManager<SecretAdmin.Features.Users.SecretAdminUser>>());
        return builder;
    }

    /// <summary>Authentication, the pending-account-step redirect, authorization and antiforgery, in that order.</summary>
    public static WebApplication UseAccounts(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseMiddleware<RequiredAccountStepMiddleware>();
        app.UseAuthorization();
        app.UseAntiforgery();
        return app;
    }

    public static WebApplication MapAccounts(this WebApplication app)
    {
        app.MapAccountEndpoints();
        return app;
    }
}
