using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.AspNetCore.Components.Web;
using SecretAdmin.Access;

namespace SecretAdmin.Benchmarks.Circuits;

/// <summary>
/// P4's baseline page, not the app's: an administrators' page with nothing on it but its title, shown
/// in the app's <c>MainLayout</c> (its Mud providers, app bar and menu) like every other page.
/// Public because the router only finds exported components.
/// </summary>
[Route(Path)]
[Authorize(Policy = Policies.Admin)]
public sealed class EmptyPage : ComponentBase
{
    public const string Path = "/bench/empty-page";

    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        builder.OpenComponent<PageTitle>(0);
        builder.AddComponentParameter(1, nameof(PageTitle.ChildContent), (RenderFragment)(title => title.AddContent(0, "Empty page · SecretAdmin")));
        builder.CloseComponent();
    }
}
