using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor;
using SecretAdmin.Hosting;
using SecretAdmin.Security;

namespace SecretAdmin.ComponentTests.Support;

/// <summary>
/// A bUnit context for the settings pages: the real settings services on a real SQLite file, a
/// loaded key ring, an administrator signed in, and the Mud providers dialogs and snackbars need.
/// </summary>
public abstract class SettingsPageContext : MudComponentTestContext
{
    private readonly RealServices _real = new();

    protected SettingsPageContext()
    {
        var auth = AddAuthorization();
        auth.SetAuthorized("admin@example.test");
        auth.SetRoles("Admin");
        _real.AddTo(Services);
        Services.AddSingleton(Options.Create(new SealingOptions()));
        Services.AddSingleton<SecretSealer>();
        Services.AddSecretAdminSettingsServices();
        RealServices.MigrateAsync(Services).GetAwaiter().GetResult();
        Sealer.Use(KeyRing.CreateNew(DateTimeOffset.UtcNow));
    }

    protected SecretSealer Sealer => Services.GetRequiredService<SecretSealer>();

    /// <summary>Where dialogs (confirmations) render, once a page is rendered.</summary>
    protected IRenderedComponent<MudDialogProvider> Dialogs { get; private set; } = default!;

    protected T Service<T>()
        where T : notnull => Services.GetRequiredService<T>();

    /// <summary>Renders the page under the providers its dialogs and snackbars need.</summary>
    protected IRenderedComponent<TPage> RenderPage<TPage>()
        where TPage : Microsoft.AspNetCore.Components.IComponent
    {
        Render<MudPopoverProvider>();
        Dialogs = Render<MudDialogProvider>();
        Render<MudSnackbarProvider>();
        var page = Render<TPage>();
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll(".settings-save")), TimeSpan.FromSeconds(5));
        return page;
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await base.DisposeAsyncCore();
        _real.Dispose();
    }
}
