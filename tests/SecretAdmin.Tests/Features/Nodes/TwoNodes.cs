using System.Net;
using System.Security.Cryptography;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Mfa;
using SecretAdmin.Features.Users;
using SecretAdmin.Tests.Features.Mfa;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Features.Nodes;

/// <summary>
/// Two app processes on one database, as two nodes behind a load balancer: the same SQLite file,
/// or the same PostgreSQL database. Before they start, an administrator with a password, an
/// authenticator and recovery codes is stored (codes are computed here, independently of the app).
/// </summary>
internal sealed class TwoNodes : IAsyncDisposable
{
    /// <summary>The tests of two nodes run one class at a time: each starts two apps, and timing is part of what they check.</summary>
    public const string Collection = "Two nodes";

    public const string Email = "ada@example.test";
    public const string Password = WebSession.Password;

    private TwoNodes(TempDataDirectory temp, WebAppProcess a, WebAppProcess b, byte[] totpSecret, IReadOnlyList<string> recoveryCodes)
    {
        Temp = temp;
        A = a;
        B = b;
        TotpSecret = totpSecret;
        RecoveryCodes = recoveryCodes;
    }

    public TempDataDirectory Temp { get; }

    public WebAppProcess A { get; }

    public WebAppProcess B { get; }

    public byte[] TotpSecret { get; }

    public IReadOnlyList<string> RecoveryCodes { get; }

    public static async Task<TwoNodes> StartAsync()
    {
        var temp = new TempDataDirectory();
        try
        {
            byte[] secret;
            IReadOnlyList<string> recoveryCodes;
            await using (var services = TestServices.Build(temp))
            {
                var users = services.GetRequiredService<UserAdminService>();
                var created = await users.CreateAdminAsync(AuditActor.Cli, Email, Password);
                Assert.True(created.Succeeded, created.Message);
                var userId = (await users.SearchAsync(new("ada"))).Items.Single().Id;
                var mfa = services.GetRequiredService<MfaEnrollmentService>();
                var offer = await mfa.OfferAsync(userId);
                secret = OtpNet.Base32Encoding.ToBytes(offer.ManualKey.Replace(" ", "", StringComparison.Ordinal));

                // Enrolled with the previous step's code, so the current step is still unused for sign-in.
                var enrolled = await mfa.ConfirmAsync(new AuditActor(Email, null), userId, offer, Code(secret, -1));
                Assert.True(enrolled.Succeeded, enrolled.Message);
                recoveryCodes = enrolled.RecoveryCodes;
            }

            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            var a = await WebAppProcess.StartAsync(temp);
            try
            {
                var b = await WebAppProcess.StartAsync(temp);
                return new TwoNodes(temp, a, b, secret, recoveryCodes);
            }
            catch
            {
                await a.DisposeAsync();
                throw;
            }
        }
        catch
        {
            temp.Dispose();
            throw;
        }
    }

    /// <summary>The authenticator's code for the current time step (plus <paramref name="stepOffset"/>).</summary>
    public string Code(long stepOffset = 0) => Code(TotpSecret, stepOffset);

    /// <summary>A browser on <paramref name="node"/> that has passed the password step and is asked for its second factor.</summary>
    public static async Task<HttpClient> PastPasswordAsync(WebAppProcess node, CookieContainer? cookies = null)
    {
        var client = node.Client(cookies);
        using var response = await WebSession.SignInAsync(client, Email, returnUrl: "/account");
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"sign-in on {node.BaseAddress} gave {(int)response.StatusCode}");
        Assert.Equal("/account/login-code", PathOf(response)?.Split('?')[0]);
        return client;
    }

    public static Task<HttpResponseMessage> SubmitCodeAsync(HttpClient client, string code) =>
        FormPost.SubmitAsync(client, "/account/login-code?returnUrl=%2Faccount", "login-code", new Dictionary<string, string> { ["Input.Code"] = code });

    public static Task<HttpResponseMessage> SubmitRecoveryCodeAsync(HttpClient client, string code) =>
        FormPost.SubmitAsync(client, "/account/login-recovery-code?returnUrl=%2Faccount", "login-recovery-code", new Dictionary<string, string> { ["Input.Code"] = code });

    public static string? PathOf(HttpResponseMessage response) =>
        response.Headers.Location is { } location ? (location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString) : null;

    public async ValueTask DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
        Temp.Dispose();
    }

    private static string Code(byte[] secret, long stepOffset) =>
        TotpVerifierTests.IndependentTotp(secret, (DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 30) + stepOffset, 6, HashAlgorithmName.SHA1);
}
