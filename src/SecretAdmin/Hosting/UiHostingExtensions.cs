using MudBlazor.Services;
using SecretAdmin.Components;

namespace SecretAdmin.Hosting;

internal static class UiHostingExtensions
{
    public static IHostApplicationBuilder AddSecretAdminUi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices();
        return builder;
    }

    /// <summary>Error and status pages, and the top-level wwwroot/; before authentication, so they need none.</summary>
    public static WebApplication UseSecretAdminUiBasics(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/Error", createScopeForErrors: true);
        }

        app.UseStatusCodePagesWithReExecute("/status/{0}", createScopeForStatusCodePages: true);
        app.UseSecretAdminStatusResponses();

        // Files of the top-level wwwroot/ are not in the build's asset manifest. They are served
        // before routing, where no endpoint (such as the development fallback of MapStaticAssets)
        // has been chosen yet, and before authentication, since the sign-in page needs them.
        app.UseStaticFiles();
        app.UseRouting();
        app.UseSecretAdminRequestBodyGuard();
        return app;
    }

    public static WebApplication MapSecretAdminUi(this WebApplication app)
    {
        app.MapStaticAssets().AllowAnonymous();
        // The framework's own Content-Security-Policy (frame-ancestors 'self') is switched off: it
        // would be sent beside the app's policy, which says frame-ancestors 'none' on every response.
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode(options => options.ContentSecurityFrameAncestorsPolicy = null);
        return app;
    }
}
