using System.Net;
using System.Net.Http.Headers;
using System.Text;
using SecretAdmin.Features.Account;
using SecretAdmin.Features.Sso;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Hosting;

/// <summary>
/// Requests the app cannot serve, against the built executable run as deployed (Production): each
/// gets its own status code — never 500 — with the app's page for a browser and a short text for
/// other clients, and leaves the session as it was.
/// </summary>
public sealed class BadRequestTests(ProductionAppFixture fixture) : IClassFixture<ProductionAppFixture>
{
    private WebAppProcess App => fixture.App;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task PostSso_WithoutAntiforgeryToken_Answers400(bool browser)
    {
        using var client = App.Client();

        using var response = await client.SendAsync(Post(SsoDefaults.Start, Form(("returnUrl", "/")), browser));

        await AssertAnswersAsync(response, HttpStatusCode.BadRequest, browser, "could not be accepted");
    }

    [Fact]
    public async Task PostLogout_SignedInWithoutAntiforgeryToken_Answers400AndStaysSignedIn()
    {
        using var client = await fixture.SignedInAdminAsync();

        using var response = await client.SendAsync(Post(AccountPaths.Logout, Form(("returnUrl", "/")), browser: true));

        await AssertAnswersAsync(response, HttpStatusCode.BadRequest, browser: true, "could not be accepted");
        await AssertSignedInAsync(client);
    }

    [Fact]
    public async Task PostLogout_SignedInWithAnotherSessionsToken_Answers400AndStaysSignedIn()
    {
        using var client = await fixture.SignedInAdminAsync();
        using var other = App.Client();
        var token = await AntiforgeryTokenAsync(other, AccountPaths.Login);

        using var response = await client.SendAsync(Post(AccountPaths.Logout, Form(("__RequestVerificationToken", token), ("returnUrl", "/")), browser: false));

        await AssertAnswersAsync(response, HttpStatusCode.BadRequest, browser: false, "antiforgery");
        await AssertSignedInAsync(client);
    }

    [Fact]
    public async Task PostLogin_WithoutAntiforgeryToken_Answers400WithThePage()
    {
        using var client = App.Client();

        using var response = await client.SendAsync(Post(AccountPaths.Login, Form(("_handler", "login"), ("Input.Email", "a@example.test"), ("Input.Password", "x")), browser: true));

        await AssertAnswersAsync(response, HttpStatusCode.BadRequest, browser: true, "could not be accepted");
    }

    [Theory]
    [InlineData("multipart/form-data", "no boundary at all")]
    [InlineData("multipart/form-data; boundary=xyz", "--xyz\r\nContent-Disposition: form-data; name=\"returnUrl\"\r\n\r\n/")]
    public async Task PostLogout_MalformedForm_Answers400AndStaysSignedIn(string contentType, string body)
    {
        using var client = await fixture.SignedInAdminAsync();
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        using var response = await client.SendAsync(Post(AccountPaths.Logout, content, browser: false));

        await AssertAnswersAsync(response, HttpStatusCode.BadRequest, browser: false, "Bad request");
        await AssertSignedInAsync(client);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Get_UnknownRoute_Answers404(bool browser)
    {
        using var client = await fixture.SignedInAdminAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/no/such/page");
        Accept(request, browser);

        using var response = await client.SendAsync(request);

        await AssertAnswersAsync(response, HttpStatusCode.NotFound, browser, browser ? "Page not found" : "Not found");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task PostLogin_OversizedBody_Answers413(bool browser)
    {
        using var client = App.Client();
        var content = Form(("Input.Email", new string('a', 2 * 1024 * 1024)));
        var request = Post(AccountPaths.Login, content, browser);

        // The server answers from the declared length and closes; waiting for its go-ahead keeps the
        // client from writing 2 MiB into a closed connection (a broken pipe instead of the answer).
        request.Headers.ExpectContinue = true;

        using var response = await client.SendAsync(request);

        await AssertAnswersAsync(response, HttpStatusCode.RequestEntityTooLarge, browser, "too large");
    }

    [Fact]
    public async Task PostLogin_OversizedChunkedBody_Answers413()
    {
        using var client = App.Client();
        var content = new StreamContent(new MemoryStream(Encoding.ASCII.GetBytes("Input.Email=" + new string('a', 2 * 1024 * 1024))));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        var request = Post(AccountPaths.Login, content, browser: false);
        request.Headers.TransferEncodingChunked = true;

        using var response = await client.SendAsync(request);

        await AssertAnswersAsync(response, HttpStatusCode.RequestEntityTooLarge, browser: false, "too large");
    }

    private async Task AssertAnswersAsync(HttpResponseMessage response, HttpStatusCode expected, bool browser, string text)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {body}\nLog:\n{App.Log}");
        if (browser)
        {
            Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("· SecretAdmin</title>", body, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
            Assert.True(body.Length < 300, body);
        }

        Assert.Contains(text, body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
    }

    private static async Task AssertSignedInAsync(HttpClient client)
    {
        using var home = await client.GetAsync("/");
        Assert.True(home.StatusCode == HttpStatusCode.OK, $"after the refused request GET / gave {(int)home.StatusCode} {home.Headers.Location}");
    }

    private static async Task<string> AntiforgeryTokenAsync(HttpClient client, string page)
    {
        var html = await client.GetStringAsync(page);
        var match = System.Text.RegularExpressions.Regex.Match(html, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"");
        Assert.True(match.Success, $"{page} has no antiforgery token");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    private static HttpRequestMessage Post(string path, HttpContent content, bool browser)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        Accept(request, browser);
        return request;
    }

    private static void Accept(HttpRequestMessage request, bool browser)
    {
        if (browser)
        {
            request.Headers.TryAddWithoutValidation("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
        }
    }

    private static FormUrlEncodedContent Form(params (string Name, string Value)[] fields) =>
        new(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)));
}
