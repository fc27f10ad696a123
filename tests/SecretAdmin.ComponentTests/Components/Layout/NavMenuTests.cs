using System.Reflection;
using System.Security.Claims;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.AspNetCore.Components.Routing;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using SecretAdmin.Access;
using SecretAdmin.Components.Layout;

namespace SecretAdmin.ComponentTests.Components.Layout;

public class NavMenuTests : MudComponentTestContext
{
    private const string Email = "someone@example.test";
    private const string TokenField = "__RequestVerificationToken";
    private const string TokenValue = "test-antiforgery-token";

    private readonly BunitAuthorizationContext _auth;

    public NavMenuTests()
    {
        _auth = AddAuthorization();
        Services.AddSingleton<AntiforgeryStateProvider>(new FixedAntiforgeryStateProvider(new AntiforgeryRequestToken(TokenValue, TokenField)));
    }

    [Fact]
    public void Render_Always_FirstLinkIsHomeMatchingExactly()
    {
        var cut = Render<NavMenu>();

        var home = cut.FindComponents<MudNavLink>()[0];
        Assert.Equal("", home.Instance.Href);
        Assert.Equal(NavLinkMatch.All, home.Instance.Match);
        Assert.Contains("Home", home.Markup);
    }

    [Fact]
    public void Render_Admin_EveryLinkOpensAnExistingPage()
    {
        var routes = typeof(MainLayout).Assembly.GetTypes()
            .SelectMany(type => type.GetCustomAttributes<RouteAttribute>())
            .Select(route => route.Template.TrimStart('/'))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        SignInAdmin();

        var cut = Render<NavMenu>();

        var links = cut.FindComponents<MudNavLink>();
        Assert.NotEmpty(links);
        Assert.All(links, link => Assert.Contains(link.Instance.Href ?? "", routes));
    }

    [Fact]
    public void Render_Anonymous_ShowsOnlyHomeAndNoSignOut()
    {
        _auth.SetNotAuthorized();

        var cut = Render<NavMenu>();

        Assert.Equal([""], LinkHrefs(cut));
        Assert.Empty(cut.FindAll("form"));
        Assert.Empty(cut.FindAll(".nav-user"));
    }

    [Fact]
    public void Render_SignedInUser_ShowsMyAccountButNoAdministration()
    {
        SignIn(Roles.User);

        var cut = Render<NavMenu>();

        Assert.Equal(["", "account", "account/mfa"], LinkHrefs(cut));
        Assert.Contains("My account", cut.FindComponents<MudNavLink>()[1].Markup);
        Assert.Empty(cut.FindComponents<MudNavGroup>());
        Assert.DoesNotContain("Administration", cut.Markup);
    }

    [Fact]
    public void Render_Admin_ShowsAdministrationAndSettings()
    {
        SignInAdmin();

        var cut = Render<NavMenu>();

        Assert.Equal(["", "account", "account/mfa", "admin/users", "admin/audit", "admin/keys", "admin/mail", "settings/oidc", "settings/smtp", "settings/mfa"], LinkHrefs(cut));
        var group = cut.FindComponent<MudNavGroup>();
        Assert.Equal("Administration", group.Instance.Title);
        var groupLinks = group.FindComponents<MudNavLink>();
        Assert.Equal(["Users", "Audit log", "Keys", "Mail"], groupLinks.Select(link => link.Find("a").TextContent.Trim()));
    }

    [Fact]
    public void Render_SignedIn_ShowsEmailAndSignOutFormPostingToLogoutWithAntiforgery()
    {
        SignIn(Roles.User);

        var cut = Render<NavMenu>();

        Assert.Equal(Email, cut.Find(".nav-user-email").TextContent.Trim());
        var form = cut.Find("form.nav-sign-out");
        Assert.Equal("post", form.GetAttribute("method"));
        Assert.Equal("account/logout", form.GetAttribute("action"));
        var token = form.QuerySelector($"input[type=hidden][name={TokenField}]");
        Assert.NotNull(token);
        Assert.Equal(TokenValue, token.GetAttribute("value"));
        var returnUrl = form.QuerySelector("input[type=hidden][name=returnUrl]");
        Assert.NotNull(returnUrl);
        Assert.Equal("/", returnUrl.GetAttribute("value"));
        var submit = form.QuerySelector("button[type=submit]");
        Assert.NotNull(submit);
        Assert.Contains("Sign out", submit.TextContent);
    }

    private void SignIn(params string[] roles)
    {
        _auth.SetAuthorized(Email);
        _auth.SetRoles(roles);
        _auth.SetClaims(new Claim(ClaimTypes.Email, Email));
    }

    private void SignInAdmin()
    {
        SignIn(Roles.Admin, Roles.User);
        _auth.SetPolicies(Policies.Admin, Policies.SignedIn);
    }

    private static string[] LinkHrefs(IRenderedComponent<NavMenu> cut) =>
        cut.FindComponents<MudNavLink>().Select(link => link.Instance.Href ?? "").ToArray();

    /// <summary>The token the server would have persisted into the circuit at prerender.</summary>
    private sealed class FixedAntiforgeryStateProvider(AntiforgeryRequestToken token) : AntiforgeryStateProvider
    {
        public override AntiforgeryRequestToken? GetAntiforgeryToken() => token;
    }
}
