using System.Security.Claims;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor;
using SecretAdmin.Access;
using SecretAdmin.ComponentTests.Support;
using SecretAdmin.Components.Layout;
using SecretAdmin.Features.Account;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Users;
using SecretAdmin.Hosting;
using SecretAdmin.Security;

namespace SecretAdmin.ComponentTests.Components.Layout;

/// <summary>Each page the menu opens is named as the menu names it: in the browser's title and in its heading.</summary>
public sealed class PageNamesTests : MudComponentTestContext
{
    private const string AdminEmail = "admin@example.test";
    private readonly RealServices _real = new();

    public PageNamesTests()
    {
        var auth = AddAuthorization();
        _real.AddTo(Services);
        Services.AddSingleton(Options.Create(new SealingOptions()));
        Services.AddSingleton<SecretSealer>();
        Services.AddSecretAdminSettingsServices();
        Services.AddHealthChecks();
        Services.AddSingleton<AccountProfileService>();
        Services.AddSingleton<RequiredAccountSteps>();
        Services.AddSingleton<AntiforgeryStateProvider>(new NoAntiforgery());
        RealServices.MigrateAsync(Services).GetAwaiter().GetResult();
        _real.LoadKeys(Services);
        var users = Services.GetRequiredService<UserAdminService>();
        Assert.True(users.CreateAsync(AuditActor.Cli, AdminEmail, "Correct-Horse-42!", isAdmin: true).GetAwaiter().GetResult().Succeeded);
        var id = users.SearchAsync(new("admin")).GetAwaiter().GetResult().Items.Single().Id;
        auth.SetAuthorized(AdminEmail);
        auth.SetRoles(Roles.Admin, Roles.User);
        auth.SetPolicies(Policies.Admin, Policies.SignedIn, Policies.AccountSteps);
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, id), new Claim(ClaimTypes.Email, AdminEmail));
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await base.DisposeAsyncCore();
        _real.Dispose();
    }

    public static TheoryData<string> MenuLinks() =>
        new("", "account", "account/mfa", "admin/users", "admin/audit", "settings/oidc", "settings/smtp", "settings/mfa");

    [Theory]
    [MemberData(nameof(MenuLinks))]
    public void Render_PageTheMenuOpens_TitleAndHeadingAreTheMenuName(string href)
    {
        var menuName = MenuNames()[href];
        var pageType = typeof(MainLayout).Assembly.GetTypes()
            .Single(type => type.GetCustomAttributes(typeof(RouteAttribute), false).Cast<RouteAttribute>().Any(route => route.Template.TrimStart('/') == href));
        Render<MudPopoverProvider>();
        Render<MudDialogProvider>();

        var page = Render(builder =>
        {
            builder.OpenComponent(0, pageType);
            builder.CloseComponent();
        });

        var title = Render(page.FindComponent<PageTitle>().Instance.ChildContent!).Nodes.Select(node => node.TextContent);
        Assert.Equal($"{menuName} · SecretAdmin", string.Concat(title).Trim());
        Assert.Equal(menuName, page.Find("h1").TextContent.Trim());
    }

    /// <summary>The administrator's menu: each link's address and the name it shows.</summary>
    private Dictionary<string, string> MenuNames()
    {
        var menu = Render<NavMenu>();
        return menu.FindComponents<MudNavLink>().ToDictionary(link => link.Instance.Href ?? "", link => link.Find("a").TextContent.Trim());
    }

    private sealed class NoAntiforgery : AntiforgeryStateProvider
    {
        public override AntiforgeryRequestToken? GetAntiforgeryToken() => null;
    }
}
