using SecretAdmin.Features.Account;
using SecretAdmin.Features.Setup;

namespace SecretAdmin.Hosting;

internal static class SignInHostingExtensions
{
    public static IHostApplicationBuilder AddSecretAdminSetup(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<SetupToken>();
        builder.Services.AddHostedService<SetupLinkAnnouncer>();
        return builder;
    }

    public static WebApplication UseSecretAdminSignIn(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseMiddleware<RequiredAccountStepMiddleware>();
        app.UseAuthorization();
        app.UseAntiforgery();
        return app;
    }

    public static WebApplication MapSecretAdminSignIn(this WebApplication app)
    {
        app.MapAccountEndpoints();
        return app;
    }
}
