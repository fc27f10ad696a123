using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.AspNetCore.Http;
using SecretAdmin.Components.Layout;

namespace SecretAdmin.Benchmarks.Circuits;

/// <summary>
/// The document of the baseline page: the app's <c>Components/App.razor</c> line for line, with
/// <see cref="EmptyPageRoutes"/> in place of the app's <c>Routes</c>. Served by
/// <see cref="CircuitServer"/> at <see cref="EmptyPage.Path"/>.
/// </summary>
public sealed class EmptyPageHost : ComponentBase
{
    [CascadingParameter]
    private HttpContext HttpContext { get; set; } = default!;

    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        builder.AddMarkupContent(0, "<!DOCTYPE html>\n");
        builder.OpenElement(1, "html");
        builder.AddAttribute(2, "lang", "en");

        builder.OpenElement(3, "head");
        builder.AddMarkupContent(4, """<meta charset="utf-8" /><meta name="viewport" content="width=device-width, initial-scale=1.0" /><base href="/" />""");
        builder.OpenComponent<ResourcePreloader>(5);
        builder.CloseComponent();
        builder.OpenElement(6, "link");
        builder.AddAttribute(7, "rel", "stylesheet");
        builder.AddAttribute(8, "href", Assets["_content/MudBlazor/MudBlazor.min.css"]);
        builder.CloseElement();
        builder.AddMarkupContent(9, """<link rel="stylesheet" href="app.css" /><link rel="icon" type="image/svg+xml" href="favicon.svg" />""");
        builder.OpenComponent<ImportMap>(10);
        builder.CloseComponent();
        builder.OpenComponent<HeadOutlet>(11);
        builder.AddComponentRenderMode(RenderMode.InteractiveServer);
        builder.CloseComponent();
        builder.CloseElement();

        builder.OpenElement(12, "body");
        builder.OpenComponent<EmptyPageRoutes>(13);
        builder.AddComponentParameter(14, nameof(EmptyPageRoutes.ThemePreference), ThemePreferenceCookie.Read(HttpContext.Request.Cookies));
        builder.AddComponentParameter(15, nameof(EmptyPageRoutes.ClientIp), HttpContext.Connection.RemoteIpAddress?.ToString());
        builder.AddComponentRenderMode(RenderMode.InteractiveServer);
        builder.CloseComponent();
        builder.OpenElement(16, "script");
        builder.AddAttribute(17, "src", Assets["_framework/blazor.web.js"]);
        builder.CloseElement();
        builder.OpenElement(18, "script");
        builder.AddAttribute(19, "src", Assets["_content/MudBlazor/MudBlazor.min.js"]);
        builder.CloseElement();
        builder.CloseElement();

        builder.CloseElement();
    }
}
