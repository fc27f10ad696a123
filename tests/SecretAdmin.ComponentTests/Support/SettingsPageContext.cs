using AngleSharp.Dom;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor;
using SecretAdmin.Hosting;
using SecretAdmin.Security;

namespace SecretAdmin.ComponentTests.Support;

/// <summary>
/// A bUnit context for the settings pages (OIDC, SMTP, MFA policy): the real settings services,
/// sealer and audit log on a fresh SQLite file (<see cref="RealServices"/>), a loaded key ring, an
/// administrator signed in, and the Mud providers that selects, dialogs and snackbars need.
/// </summary>
public abstract class SettingsPageContext : MudComponentTestContext
{
    public const string AdminEmail = "admin@example.test";

    /// <summary>How long a test waits for the page to show what it expects.</summary>
    protected static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    private readonly RealServices _real = new();

    /// <param name="clock">The clock the services read, for tests that need known times; the system clock when null.</param>
    protected SettingsPageContext(TimeProvider? clock = null)
    {
        var auth = AddAuthorization();
        auth.SetAuthorized(AdminEmail);
        auth.SetRoles("Admin");
        _real.AddTo(Services);
        if (clock is not null)
        {
            Services.AddSingleton<TimeProvider>(clock);
        }

        Services.AddSingleton(Options.Create(new SealingOptions()));
        Services.AddSingleton<SecretSealer>();
        Services.AddSecretAdminSettingsServices();
        RealServices.MigrateAsync(Services).GetAwaiter().GetResult();
        _real.LoadKeys(Services);
    }

    protected SecretSealer Sealer => Service<SecretSealer>();

    /// <summary>Where open selects and menus render their items, once <see cref="RenderPage{TPage}"/> ran.</summary>
    protected IRenderedComponent<MudPopoverProvider> Popovers { get; private set; } = default!;

    /// <summary>Where confirmation dialogs render, once <see cref="RenderPage{TPage}"/> ran.</summary>
    protected IRenderedComponent<MudDialogProvider> Dialogs { get; private set; } = default!;

    protected T Service<T>()
        where T : notnull => Services.GetRequiredService<T>();

    /// <summary>Renders the Mud providers (selects, dialogs, snackbars), then the page, and waits until it has loaded.</summary>
    protected IRenderedComponent<TPage> RenderPage<TPage>()
        where TPage : IComponent
    {
        Popovers = Render<MudPopoverProvider>();
        Dialogs = Render<MudDialogProvider>();
        Render<MudSnackbarProvider>();
        var page = Render<TPage>();
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll(".settings-save")), Wait);
        return page;
    }

    /// <summary>Clicks the dialog button whose text is <paramref name="text"/>, once the dialog shows it.</summary>
    protected void Confirm(string text)
    {
        Dialogs.WaitForAssertion(() => Assert.Contains(Dialogs.FindAll("button"), b => b.TextContent.Trim() == text), Wait);
        Dialogs.FindAll("button").Single(b => b.TextContent.Trim() == text).Click();
    }

    /// <summary>Submits the settings form, as the Save button does.</summary>
    protected static Task SaveAsync<TPage>(IRenderedComponent<TPage> page)
        where TPage : IComponent => page.Find("form.settings-form").SubmitAsync();

    /// <summary>The box for the page's secret (client secret, password); it only ever holds what was typed.</summary>
    protected static IElement SecretInput<TPage>(IRenderedComponent<TPage> page)
        where TPage : IComponent => page.Find(".secret-input input");

    /// <summary>What the page says of the stored secret: <c>not-set</c>, <c>set</c> or <c>unreadable</c>.</summary>
    protected static string? SecretState<TPage>(IRenderedComponent<TPage> page)
        where TPage : IComponent => page.Find("[data-secret-state]").GetAttribute("data-secret-state");

    /// <summary>The text around a field (its label, helper and error lines).</summary>
    protected static string TextAround<TPage>(IRenderedComponent<TPage> page, string inputSelector)
        where TPage : IComponent => page.Find(inputSelector).Closest(".mud-input-control")!.TextContent;

    protected override async ValueTask DisposeAsyncCore()
    {
        await base.DisposeAsyncCore();
        _real.Dispose();
    }
}
