using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.AspNetCore.Components.Routing;
using SecretAdmin.Access;
using SecretAdmin.Components.Layout;
using SecretAdmin.Components.Pages;
using SecretAdmin.Components.Shared;

namespace SecretAdmin.Benchmarks.Circuits;

/// <summary>
/// The interactive root of the baseline page: the app's <c>Components/Routes.razor</c> line for line,
/// except that its router looks in this assembly, where <see cref="EmptyPage"/> is the one page. The
/// app's own router cannot be given another assembly, so this is how the baseline gets the same
/// circuit root as the settings pages.
/// </summary>
public sealed class EmptyPageRoutes : ComponentBase
{
    [Inject]
    private CurrentActor CurrentActor { get; set; } = default!;

    [Parameter]
    public ThemePreference ThemePreference { get; set; }

    [Parameter]
    public string? ClientIp { get; set; }

    protected override void OnInitialized() => CurrentActor.UseClientIp(ClientIp);

    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        builder.OpenComponent<CascadingValue<ThemePreference>>(0);
        builder.AddComponentParameter(1, nameof(CascadingValue<ThemePreference>.Value), ThemePreference);
        builder.AddComponentParameter(2, nameof(CascadingValue<ThemePreference>.IsFixed), true);
        builder.AddComponentParameter(3, nameof(CascadingValue<ThemePreference>.ChildContent), (RenderFragment)RenderRouter);
        builder.CloseComponent();
    }

    private static void RenderRouter(RenderTreeBuilder builder)
    {
        builder.OpenComponent<Router>(0);
        builder.AddComponentParameter(1, nameof(Router.AppAssembly), typeof(EmptyPage).Assembly);
        builder.AddComponentParameter(2, nameof(Router.NotFoundPage), typeof(NotFound));
        builder.AddComponentParameter(3, nameof(Router.Found), (RenderFragment<RouteData>)(routeData => found =>
        {
            found.OpenComponent<AuthorizeRouteView>(0);
            found.AddComponentParameter(1, nameof(AuthorizeRouteView.RouteData), routeData);
            found.AddComponentParameter(2, nameof(AuthorizeRouteView.DefaultLayout), typeof(MainLayout));
            found.AddComponentParameter(3, nameof(AuthorizeRouteView.NotAuthorized), (RenderFragment<AuthenticationState>)(context => notAuthorized =>
            {
                if (context.User.Identity?.IsAuthenticated == true)
                {
                    notAuthorized.OpenComponent<AccountStepOrAccessDenied>(0);
                    notAuthorized.CloseComponent();
                }
                else
                {
                    notAuthorized.OpenComponent<RedirectToLogin>(1);
                    notAuthorized.CloseComponent();
                }
            }));
            found.CloseComponent();
            found.OpenComponent<FocusOnNavigate>(4);
            found.AddComponentParameter(5, nameof(FocusOnNavigate.RouteData), routeData);
            found.AddComponentParameter(6, nameof(FocusOnNavigate.Selector), "h1");
            found.CloseComponent();
        }));
        builder.CloseComponent();
    }
}
