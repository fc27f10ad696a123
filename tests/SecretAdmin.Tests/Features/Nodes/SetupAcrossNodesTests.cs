using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Features.Nodes;

/// <summary>
/// First-run setup on two nodes sharing a new database: each prints its own one-time link, and
/// however the two are used — at the same instant, or one's link on the other — one first
/// administrator is made, once.
/// </summary>
[Collection(TwoNodes.Collection)]
public sealed partial class SetupAcrossNodesTests : IDisposable
{
    private readonly TempDataDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task SetupLinks_OfBothNodesUsedAtTheSameInstant_CreateOneAdministrator()
    {
        // One node starts first, as README says: it makes the keys; the second takes them up.
        await using var a = await WebAppProcess.StartAsync(_temp);
        var tokenA = await SetupTokenAsync(a);
        await using var b = await WebAppProcess.StartAsync(_temp);
        var tokenB = await SetupTokenAsync(b);
        Assert.NotEqual(tokenA, tokenB);

        // A link is its node's alone.
        var foreign = await b.Client().GetStringAsync($"/setup?token={Uri.EscapeDataString(tokenA)}");
        Assert.DoesNotContain("Create administrator", foreign, StringComparison.Ordinal);

        var answers = await Task.WhenAll(
            SubmitAsync(a, tokenA, "first@example.test"),
            SubmitAsync(b, tokenB, "second@example.test"));

        var created = answers.Count(r => r.StatusCode == HttpStatusCode.Redirect && r.Headers.Location!.OriginalString.Contains("setup-complete", StringComparison.Ordinal));
        Assert.True(created == 1, string.Join(", ", answers.Select(r => $"{(int)r.StatusCode} {r.Headers.Location}")));
        Assert.Equal(1L, await AdministratorsAsync());

        // Afterwards neither link works on either node.
        foreach (var (node, token) in new[] { (a, tokenA), (b, tokenB), (a, tokenB), (b, tokenA) })
        {
            var page = await node.Client().GetStringAsync($"/setup?token={Uri.EscapeDataString(token)}");
            Assert.Contains("Setup is complete", page, StringComparison.Ordinal);
        }

        foreach (var answer in answers)
        {
            answer.Dispose();
        }
    }

    private static Task<HttpResponseMessage> SubmitAsync(WebAppProcess node, string token, string email) =>
        FormPost.SubmitAsync(node.Client(), $"/setup?token={Uri.EscapeDataString(token)}", "setup", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = WebSession.Password,
            ["Input.ConfirmPassword"] = WebSession.Password,
        });

    private async Task<long> AdministratorsAsync()
    {
        await using var connection = _temp.OpenConnection();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT COUNT(*) FROM "AspNetUserRoles" ur JOIN "AspNetRoles" r ON r."Id" = ur."RoleId" WHERE r."Name" = 'Admin'
            """;
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    private static async Task<string> SetupTokenAsync(WebAppProcess node)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(15))
        {
            if (SetupLink().Match(node.Log) is { Success: true } link)
            {
                return link.Groups["token"].Value;
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException($"{node.BaseAddress} printed no setup link within 15 s:\n{node.Log}");
    }

    [GeneratedRegex(@"/setup\?token=(?<token>[A-Za-z0-9_-]+)")]
    private static partial Regex SetupLink();
}
