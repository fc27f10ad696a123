using System.Security.Claims;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using SecretAdmin.ComponentTests.Support;
using SecretAdmin.Hosting;
using SecretAdmin.Security;
using SecretAdmin.Features.Account;

namespace SecretAdmin.ComponentTests.Features.Account;

/// <summary>The change-password page with the app's real Identity options: the rules it states and the ways out it offers.</summary>
public sealed class ChangePasswordPageTests : MudComponentTestContext
{
    private readonly RealServices _real = new();

    public ChangePasswordPageTests()
    {
        AddAuthorization();
        _real.AddTo(Services);
        // Signing in again after the change counts attempts under the stored MFA policy.
        Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(new SealingOptions()));
        Services.AddSingleton<SecretSealer>();
        Services.AddSecretAdminSettingsServices();
        Services.AddScoped<PasswordChange>();
        Services.AddSingleton<AntiforgeryStateProvider>(new NoAntiforgery());
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await base.DisposeAsyncCore();
        _real.Dispose();
    }

    private IRenderedComponent<ChangePasswordPage> RenderPage(bool mustChange, string? returnUrl = null)
    {
        if (returnUrl is not null)
        {
            Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>().NavigateTo($"/account/change-password?returnUrl={Uri.EscapeDataString(returnUrl)}");
        }

        var claims = new List<Claim> { new(ClaimTypes.Email, "ada@example.test") };
        if (mustChange)
        {
            claims.Add(new(SecretAdminClaims.MustChangePassword, "true"));
        }

        var http = new DefaultHttpContext { User = new ClaimsPrincipal(new ClaimsIdentity(claims, "test")) };
        return Render<ChangePasswordPage>(parameters => parameters.AddCascadingValue<HttpContext>(http));
    }

    private static string[] Rules(IRenderedComponent<ChangePasswordPage> page) =>
        page.FindAll(".password-rules li").Select(li => li.TextContent.Trim()).ToArray();

    [Fact]
    public void Render_AppPasswordOptions_StatesEachRuleTheyRequire()
    {
        var page = RenderPage(mustChange: false);

        Assert.Equal(["at least 12 characters", "an upper-case letter", "a lower-case letter", "a digit"], Rules(page));
        Assert.Equal("New password", page.Find("label[for=new-password]").TextContent.Trim());
        Assert.Contains("new-password-rules", page.Find("#new-password").GetAttribute("aria-describedby"), StringComparison.Ordinal);
    }

    [Fact]
    public void Render_OtherPasswordOptions_StatesThoseRules()
    {
        Services.Configure<IdentityOptions>(options =>
        {
            options.Password.RequiredLength = 16;
            options.Password.RequireUppercase = false;
            options.Password.RequireNonAlphanumeric = true;
            options.Password.RequiredUniqueChars = 6;
        });

        var page = RenderPage(mustChange: false);

        Assert.Equal(["at least 16 characters", "a lower-case letter", "a digit", "a character that is neither a letter nor a digit", "at least 6 different characters"], Rules(page));
    }

    [Fact]
    public void Render_ChosenFreely_OffersAWayBackToWhereItCameFrom()
    {
        var page = RenderPage(mustChange: false, returnUrl: "/account");

        Assert.Equal("/account", page.Find("a.change-password-back").GetAttribute("href"));
        Assert.Contains("Back", page.Find("a.change-password-back").TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("form.change-password-sign-out"));
    }

    [Fact]
    public void Render_ChosenFreelyWithAForeignReturnUrl_GoesBackToMyAccountInstead()
    {
        var page = RenderPage(mustChange: false, returnUrl: "https://evil.example/");

        Assert.Equal("/account", page.Find("a.change-password-back").GetAttribute("href"));
    }

    [Fact]
    public void Render_TemporaryPassword_OffersSigningOutNotAWayPast()
    {
        var page = RenderPage(mustChange: true);

        Assert.Contains("temporary password", page.Markup, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("a.change-password-back"));
        Assert.Contains("Sign out instead", page.Find("form.change-password-sign-out").TextContent, StringComparison.Ordinal);
    }

    private sealed class NoAntiforgery : AntiforgeryStateProvider
    {
        public override AntiforgeryRequestToken? GetAntiforgeryToken() => null;
    }
}
