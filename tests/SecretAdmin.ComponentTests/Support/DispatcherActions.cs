using Microsoft.AspNetCore.Components;

namespace SecretAdmin.ComponentTests.Support;

/// <summary>
/// Find an element and raise its event inside the renderer's dispatcher. Pages that load data
/// render again off the test's thread, so a render may otherwise land between finding an element
/// and raising its event, and the event would go to a handler that no longer exists.
/// </summary>
public static class DispatcherActions
{
    public static Task ClickAsync<TComponent>(this IRenderedComponent<TComponent> cut, string selector)
        where TComponent : IComponent =>
        cut.InvokeAsync(() => cut.Find(selector).Click());

    public static Task InputAsync<TComponent>(this IRenderedComponent<TComponent> cut, string selector, string value)
        where TComponent : IComponent =>
        cut.InvokeAsync(() => cut.Find(selector).Input(value));
}
