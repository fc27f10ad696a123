using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SecretAdmin.Features.Mfa.Passkeys;
using SecretAdmin.Features.Mfa.Totp;
using SecretAdmin.Features.Users;

namespace SecretAdmin.Features.Mfa;

public static class MfaExtensions
{
    /// <summary>The MFA policy and each user's enrollment and code checks.</summary>
    public static IServiceCollection AddMfa(this IServiceCollection services)
    {
        services.AddSingleton<MfaPolicyService>();
        services.AddSingleton<TotpStepLedger>();
        services.AddSingleton<MfaEnrollmentService>();
        services.AddSingleton<PasskeyService>();
        services.AddSingleton<PasskeyCeremony>();
        services.TryAddScoped<IPasskeyHandler<SecretAdminUser>, PasskeyHandler<SecretAdminUser>>();
        services.Configure<IdentityPasskeyOptions>(options =>
        {
            // Checked per role after the ceremony (PasskeySignIn, MfaPolicyView.WhyPasskeyRefused), not
            // by Identity for everyone: a passkey without a PIN may still be a second step for a user.
            options.UserVerificationRequirement = "preferred";

            // Discoverable, so it can sign in without a user name first.
            options.ResidentKeyRequirement = "required";

            // The origin the browser signed must be this app's, as the request reached it (behind a
            // proxy, through the forwarded headers of trusted proxies). Identity compares it with the
            // request's Origin header instead, which a form's navigation sends as "null" under the
            // app's no-referrer policy.
            options.ValidateOrigin = context => ValueTask.FromResult(
                !context.CrossOrigin
                && Uri.TryCreate(context.Origin, UriKind.Absolute, out var origin)
                && origin.Equals(new Uri($"{context.HttpContext.Request.Scheme}://{context.HttpContext.Request.Host}")));
        });
        return services;
    }

    /// <summary>The browser's passkey requests (options, and a new passkey).</summary>
    public static WebApplication MapMfa(this WebApplication app)
    {
        app.MapPasskeyEndpoints();
        return app;
    }
}
