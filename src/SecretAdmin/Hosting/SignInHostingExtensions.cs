using SecretAdmin.Features.Account;

namespace SecretAdmin.Hosting;

internal static class SignInHostingExtensions
{
    public static WebApplication UseSecretAdminSignIn(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseMiddleware<RequiredAccountStepMiddleware>();
        app.UseAntiforgery();
        return app;
    }

    public static WebApplication MapSecretAdminSignIn(this WebApplication app)
    {
        app.MapAccountEndpoints();
        return app;
    }
}
