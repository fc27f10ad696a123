using System.Security.Claims;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using SecretAdmin.Access;
using SecretAdmin.ComponentTests.Support;
using SecretAdmin.Features.Account;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Users;
using SecretAdmin.Hosting;
using SecretAdmin.Security;

namespace SecretAdmin.ComponentTests.Features.Mfa;

/// <summary>
/// A bUnit context for the two-factor page: the real services, sealer and SQLite file, and an
/// administrator with a password signed in as its owner.
/// </summary>
public abstract class MfaPageContext : MudComponentTestContext
{
    protected const string Email = "ada@example.test";
    protected const string Password = "Correct-Horse-42!";
    private readonly RealServices _real = new();

    protected MfaPageContext()
    {
        var auth = AddAuthorization();
        _real.AddTo(Services);
        Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(new SealingOptions()));
        Services.AddSingleton<SecretSealer>();
        Services.AddSecretAdminSettingsServices();
        Services.AddSingleton<RequiredAccountSteps>();
        RealServices.MigrateAsync(Services).GetAwaiter().GetResult();
        _real.LoadKeys(Services);
        var users = Services.GetRequiredService<UserAdminService>();
        users.CreateAsync(AuditActor.Cli, Email, Password, isAdmin: true).GetAwaiter().GetResult();
        UserId = users.SearchAsync(new("ada")).GetAwaiter().GetResult().Items.Single().Id;
        auth.SetAuthorized(Email);
        auth.SetRoles(Roles.Admin);
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, UserId), new Claim(ClaimTypes.Email, Email));
    }

    protected string UserId { get; }

    protected override async ValueTask DisposeAsyncCore()
    {
        await base.DisposeAsyncCore();
        _real.Dispose();
    }

    /// <summary>The page with the Mud providers its dialogs and snackbars need.</summary>
    protected IRenderedComponent<Bunit.Rendering.ContainerFragment> RenderWithProviders<TPage>()
        where TPage : Microsoft.AspNetCore.Components.IComponent => Render(builder =>
    {
        builder.OpenComponent<MudPopoverProvider>(0);
        builder.CloseComponent();
        builder.OpenComponent<MudDialogProvider>(1);
        builder.CloseComponent();
        builder.OpenComponent<MudSnackbarProvider>(2);
        builder.CloseComponent();
        builder.OpenComponent<TPage>(3);
        builder.CloseComponent();
    });
}
