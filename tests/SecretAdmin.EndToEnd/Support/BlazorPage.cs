namespace SecretAdmin.EndToEnd.Support;

/// <summary>
/// Waits that make a Blazor Server page safe to drive. Interactive pages are prerendered: the form is
/// on screen before its circuit has connected, and what is typed into it then is lost. `window.Blazor`
/// exists as soon as blazor.web.js has loaded, so it does not tell. What does: once the circuit has
/// rendered, the prerendered elements have been replaced by new ones (checked on this app), so an
/// element that was not in the page at DOMContentLoaded was rendered by the live circuit.
/// </summary>
public static class BlazorPage
{
    private const string RememberPrerenderedElements = """
        document.addEventListener('DOMContentLoaded', () => {
          window.__secretAdminPrerendered = new WeakSet(document.querySelectorAll('body *'));
        });
        """;

    /// <summary>Makes every page of <paramref name="context"/> remember which elements it was served with.</summary>
    public static Task TrackPrerenderingAsync(IBrowserContext context) => context.AddInitScriptAsync(RememberPrerenderedElements);

    /// <summary>
    /// After a full page load (GotoAsync, ReloadAsync), waits until <paramref name="selector"/> matches
    /// an element the circuit rendered, i.e. the page is interactive and that element is on it.
    /// </summary>
    public static Task WaitForInteractiveAsync(this IPage page, string selector) =>
        page.WaitForFunctionAsync(
            """
            selector => {
              const prerendered = window.__secretAdminPrerendered;
              const element = document.querySelector(selector);
              return prerendered !== undefined && element !== null && !prerendered.has(element);
            }
            """,
            selector);
}
