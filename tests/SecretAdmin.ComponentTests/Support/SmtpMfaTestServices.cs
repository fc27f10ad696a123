using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor;
using SecretAdmin.Hosting;
using SecretAdmin.Security;

namespace SecretAdmin.ComponentTests.Support;

/// <summary>
/// What the SMTP and MFA-policy page tests render against: the real settings services, sealer and
/// audit log on a fresh SQLite file (<see cref="RealServices"/>), a loaded key ring, and an
/// administrator signed in. Create it in the test context's constructor, before anything
/// resolves a service; dispose it after the context.
/// </summary>
public sealed class SmtpMfaTestServices : IDisposable
{
    public const string AdminEmail = "admin@example.test";

    private readonly RealServices _real = new();
    private readonly BunitContext _context;

    public SmtpMfaTestServices(BunitContext context, TimeProvider? clock = null)
    {
        _context = context;
        var auth = context.AddAuthorization();
        auth.SetAuthorized(AdminEmail);
        auth.SetRoles("Admin");
        _real.AddTo(context.Services);
        if (clock is not null)
        {
            context.Services.AddSingleton(clock);
        }

        context.Services.AddSingleton(Options.Create(new SealingOptions()));
        context.Services.AddSingleton<SecretSealer>();
        context.Services.AddSecretAdminSettingsServices();
        RealServices.MigrateAsync(context.Services).GetAwaiter().GetResult();
        Sealer.Use(KeyRing.CreateNew(DateTimeOffset.UtcNow));
    }

    public SecretSealer Sealer => Get<SecretSealer>();

    /// <summary>Where open selects and menus render their items, once <see cref="RenderPage{TPage}"/> ran.</summary>
    public IRenderedComponent<MudPopoverProvider> Popovers { get; private set; } = default!;

    /// <summary>Where confirmation dialogs render, once <see cref="RenderPage{TPage}"/> ran.</summary>
    public IRenderedComponent<MudDialogProvider> Dialogs { get; private set; } = default!;

    public T Get<T>()
        where T : notnull => _context.Services.GetRequiredService<T>();

    /// <summary>Renders the Mud providers (selects, dialogs, snackbars), then the page, and waits until it has loaded.</summary>
    public IRenderedComponent<TPage> RenderPage<TPage>()
        where TPage : Microsoft.AspNetCore.Components.IComponent
    {
        Popovers = _context.Render<MudPopoverProvider>();
        Dialogs = _context.Render<MudDialogProvider>();
        _context.Render<MudSnackbarProvider>();
        var page = _context.Render<TPage>();
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll(".settings-save")), TimeSpan.FromSeconds(5));
        return page;
    }

    /// <summary>Clicks the dialog button whose text is <paramref name="text"/>, once the dialog shows it.</summary>
    public void Confirm(string text)
    {
        Dialogs.WaitForAssertion(() => Assert.Contains(Dialogs.FindAll("button"), b => b.TextContent.Trim() == text), TimeSpan.FromSeconds(5));
        Dialogs.FindAll("button").Single(b => b.TextContent.Trim() == text).Click();
    }

    public void Dispose() => _real.Dispose();
}
