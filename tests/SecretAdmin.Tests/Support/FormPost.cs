using System.Net;
using System.Text.RegularExpressions;

namespace SecretAdmin.Tests.Support;

/// <summary>Submits the app's server-rendered forms as a browser does: GET the page, then POST with its antiforgery token.</summary>
public static partial class FormPost
{
    /// <param name="formName">The Blazor form's name, or null for a plain form.</param>
    /// <param name="action">Where the form posts, when not back to <paramref name="url"/> (a plain form's action).</param>
    public static Task<HttpResponseMessage> SubmitAsync(HttpClient client, string url, string? formName, IReadOnlyDictionary<string, string> fields, string? action = null) =>
        SubmitAsync(client, url, formName, () => fields, action);

    /// <param name="fields">Filled in after the page has loaded: for a value that holds only for a moment, such as a one-time code.</param>
    public static async Task<HttpResponseMessage> SubmitAsync(HttpClient client, string url, string? formName, Func<IReadOnlyDictionary<string, string>> fields, string? action = null)
    {
        using var page = await client.GetAsync(url);
        Assert.True(page.StatusCode == HttpStatusCode.OK, $"GET {url} gave {(int)page.StatusCode} {page.Headers.Location}");
        var html = await page.Content.ReadAsStringAsync();
        var token = AntiforgeryField().Match(html);
        Assert.True(token.Success, $"{url} has no antiforgery token");

        var form = new List<KeyValuePair<string, string>>(fields())
        {
            new("__RequestVerificationToken", WebUtility.HtmlDecode(token.Groups["value"].Value)),
        };
        if (formName is not null)
        {
            form.Add(new("_handler", formName));
        }

        return await client.PostAsync(action ?? url, new FormUrlEncodedContent(form));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"(?<value>[^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
