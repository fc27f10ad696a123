using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Users;

namespace SecretAdmin.Tests.Support;

/// <summary>Users and signed-in browsers-without-a-browser for HTTP tests: cookies kept, redirects not followed.</summary>
public static class WebSession
{
    public const string Password = "Correct-Horse-42!";

    public static HttpClient Client(SecretAdminAppFactory app) =>
        app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    public static async Task CreateUserAsync(SecretAdminAppFactory app, string email, bool admin, bool mustChangePassword = false, string password = Password)
    {
        using var start = app.CreateClient();
        var users = app.Services.GetRequiredService<UserAdminService>();
        var result = await users.CreateAsync(AuditActor.Cli, email, password, admin);
        Assert.True(result.Succeeded, result.Message);
        if (!mustChangePassword)
        {
            await using var scope = app.Services.CreateAsyncScope();
            var manager = scope.ServiceProvider.GetRequiredService<UserManager<SecretAdminUser>>();
            var user = (await manager.FindByEmailAsync(email))!;
            user.MustChangePassword = false;
            await manager.UpdateAsync(user);
        }
    }

    public static Task<HttpResponseMessage> SignInAsync(HttpClient client, string email, string password = Password, string? returnUrl = null) =>
        FormPost.SubmitAsync(
            client,
            returnUrl is null ? "/account/login" : $"/account/login?returnUrl={Uri.EscapeDataString(returnUrl)}",
            "login",
            new Dictionary<string, string> { ["Input.Email"] = email, ["Input.Password"] = password });

    /// <summary>Signs out with the antiforgery token of <paramref name="tokenPage"/>, a page this session can open.</summary>
    public static async Task<HttpResponseMessage> SignOutAsync(HttpClient client, string tokenPage = "/account/change-password")
    {
        var html = await client.GetStringAsync(tokenPage);
        var token = System.Text.RegularExpressions.Regex.Match(html, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        return await client.PostAsync("/account/logout", new FormUrlEncodedContent([new("__RequestVerificationToken", System.Net.WebUtility.HtmlDecode(token)), new("returnUrl", "/")]));
    }

    /// <summary>A client signed in as a new user (admin or not).</summary>
    public static async Task<HttpClient> SignedInAsync(SecretAdminAppFactory app, string email, bool admin)
    {
        await CreateUserAsync(app, email, admin);
        var client = Client(app);
        using var response = await SignInAsync(client, email);
        Assert.Equal(System.Net.HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }
}
