using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using SecretAdmin.Data;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Mfa;
using SecretAdmin.Features.Users;
using SecretAdmin.Tests.Features.Mfa;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Features.Account;

/// <summary>
/// Wrong passwords and wrong codes for one account sent all at once through the real forms, on a
/// real SQLite file: the lockout policy's number of attempts is checked, every other one is refused
/// as locked out. Sequentially the first (max − 1) wrong answers say "not correct" and the max-th
/// wrong one locks the account and says so; at once, the same must hold.
/// </summary>
public sealed class ConcurrentLockoutFlowTests : IDisposable
{
    private const string Email = "ada@example.test";
    private const int Attempts = 100;
    private const int MaxFailedAttempts = 5;

    private readonly TempDataDirectory _temp = new();
    private readonly CountingPasswordHasher _hasher = new();
    private readonly WebApplicationFactory<Program> _app;
    private readonly SecretAdminAppFactory _factory;

    public ConcurrentLockoutFlowTests()
    {
        _factory = new SecretAdminAppFactory(_temp);

        // The real hasher, counted: each password the app verifies goes through it.
        _app = _factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
            services.AddScoped<IPasswordHasher<SecretAdminUser>>(_ => _hasher)));
    }

    public void Dispose()
    {
        _app.Dispose();
        _factory.Dispose();
        _temp.Dispose();
    }

    private HttpClient Client() => _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    private async Task CreateUserAsync()
    {
        var users = _app.Services.GetRequiredService<UserAdminService>();
        var result = await users.CreateAsync(AuditActor.Cli, Email, WebSession.Password, isAdmin: false);
        Assert.True(result.Succeeded, result.Message);
        await using var scope = _app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SecretAdminDbContext>();
        await db.Users.Where(u => u.Email == Email).ExecuteUpdateAsync(set => set.SetProperty(u => u.MustChangePassword, false));
    }

    private async Task<SecretAdminUser> StoredUserAsync()
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SecretAdminDbContext>();
        return await db.Users.AsNoTracking().SingleAsync(u => u.Email == Email);
    }

    private async Task<int> AuditCountAsync(string action) =>
        (await _app.Services.GetRequiredService<AuditLog>().SearchAsync(new(Action: action))).TotalCount;

    private static string? PathOf(HttpResponseMessage response) =>
        response.Headers.Location is { } location ? (location.IsAbsoluteUri ? location.AbsolutePath : location.OriginalString.Split('?')[0]) : null;

    private static async Task<(int NotCorrect, int LockedOut)> TallyAsync(IReadOnlyCollection<HttpResponseMessage> responses, string notCorrectMessage)
    {
        var notCorrect = 0;
        var lockedOut = 0;
        foreach (var response in responses)
        {
            if (PathOf(response) == "/account/lockout")
            {
                lockedOut++;
            }
            else
            {
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"an attempt gave {(int)response.StatusCode} {PathOf(response)}");
                Assert.Contains(notCorrectMessage, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
                notCorrect++;
            }
        }

        return (notCorrect, lockedOut);
    }

    [Fact]
    public async Task SignIn_HundredWrongPasswordsAtOnce_ChecksExactlyThePolicysNumber()
    {
        await CreateUserAsync();
        var clients = Enumerable.Range(0, Attempts).Select(_ => Client()).ToList();
        var before = _hasher.Verifications;

        var responses = await Task.WhenAll(clients.Select((client, i) => WebSession.SignInAsync(client, Email, $"Wrong-Password-{i}")));

        var (notCorrect, lockedOut) = await TallyAsync(responses, "The email or password is not correct.");
        Assert.Equal(MaxFailedAttempts - 1, notCorrect);
        Assert.Equal(Attempts - (MaxFailedAttempts - 1), lockedOut);
        Assert.Equal(MaxFailedAttempts, _hasher.Verifications - before);
        Assert.Equal(MaxFailedAttempts - 1, await AuditCountAsync(AuditActions.SignInFailed));
        var stored = await StoredUserAsync();
        Assert.True(stored.LockoutEnd > DateTimeOffset.UtcNow.AddMinutes(4), $"locked until {stored.LockoutEnd}");
        Assert.Equal(0, stored.AccessFailedCount);
        using var right = await WebSession.SignInAsync(Client(), Email);
        Assert.Equal("/account/lockout", PathOf(right));
    }

    [Fact]
    public async Task SignIn_HundredWrongPasswordsAtOnceForAnUnknownEmail_AnsweredAsForAnAccount()
    {
        var clients = Enumerable.Range(0, Attempts).Select(_ => Client()).ToList();

        var responses = await Task.WhenAll(clients.Select((client, i) => WebSession.SignInAsync(client, "nobody@example.test", $"Wrong-Password-{i}")));

        var (notCorrect, lockedOut) = await TallyAsync(responses, "The email or password is not correct.");
        Assert.Equal(MaxFailedAttempts - 1, notCorrect);
        Assert.Equal(Attempts - (MaxFailedAttempts - 1), lockedOut);
    }

    [Fact]
    public async Task SignIn_WrongPasswordsAtOnceThenTheRightOne_SignsInAfterFewerThanThePolicysNumber()
    {
        await CreateUserAsync();
        var clients = Enumerable.Range(0, MaxFailedAttempts - 1).Select(_ => Client()).ToList();

        var responses = await Task.WhenAll(clients.Select((client, i) => WebSession.SignInAsync(client, Email, $"Wrong-Password-{i}")));
        using var right = await WebSession.SignInAsync(Client(), Email);

        Assert.Equal((MaxFailedAttempts - 1, 0), await TallyAsync(responses, "The email or password is not correct."));
        Assert.Equal("/", PathOf(right));
        Assert.Equal(0, (await StoredUserAsync()).AccessFailedCount);
    }

    [Fact]
    public async Task SignIn_HundredWrongCodesAtOnce_ChecksExactlyThePolicysNumber()
    {
        await CreateUserAsync();
        var secret = await EnrollAsync();
        var client = Client();
        using (var password = await WebSession.SignInAsync(client, Email))
        {
            Assert.Equal("/account/login-code", PathOf(password));
        }

        var wrongCodes = WrongCodes(secret).Take(Attempts).ToList();
        var responses = await Task.WhenAll(wrongCodes.Select(code => FormPost.SubmitAsync(
            client, "/account/login-code?returnUrl=%2F", "login-code", new Dictionary<string, string> { ["Input.Code"] = code })));

        var (notCorrect, lockedOut) = await TallyAsync(responses, "That code is not valid");
        Assert.Equal(MaxFailedAttempts - 1, notCorrect);
        Assert.Equal(Attempts - (MaxFailedAttempts - 1), lockedOut);
        Assert.Equal(MaxFailedAttempts - 1, await AuditCountAsync(AuditActions.SignInFailed));
        Assert.True((await StoredUserAsync()).LockoutEnd > DateTimeOffset.UtcNow.AddMinutes(4));
    }

    [Fact]
    public async Task SignIn_HundredWrongRecoveryCodesAtOnce_ChecksExactlyThePolicysNumber()
    {
        await CreateUserAsync();
        await EnrollAsync();
        var client = Client();
        using (var password = await WebSession.SignInAsync(client, Email))
        {
            Assert.Equal("/account/login-code", PathOf(password));
        }

        var responses = await Task.WhenAll(Enumerable.Range(0, Attempts).Select(i => FormPost.SubmitAsync(
            client, "/account/login-recovery-code?returnUrl=%2F", "login-recovery-code", new Dictionary<string, string> { ["Input.Code"] = WrongRecoveryCode(i) })));

        var (notCorrect, lockedOut) = await TallyAsync(responses, "That recovery code is not valid");
        Assert.Equal(MaxFailedAttempts - 1, notCorrect);
        Assert.Equal(Attempts - (MaxFailedAttempts - 1), lockedOut);
        Assert.True((await StoredUserAsync()).LockoutEnd > DateTimeOffset.UtcNow.AddMinutes(4));
    }

    private async Task<byte[]> EnrollAsync()
    {
        var users = _app.Services.GetRequiredService<UserAdminService>();
        var userId = (await users.SearchAsync(new("ada"))).Items.Single().Id;
        var mfa = _app.Services.GetRequiredService<MfaEnrollmentService>();
        var offer = await mfa.OfferAsync(userId);
        var secret = OtpNet.Base32Encoding.ToBytes(offer.ManualKey.Replace(" ", "", StringComparison.Ordinal));
        var result = await mfa.ConfirmAsync(new AuditActor(Email, null), userId, offer, Code(secret, 0));
        Assert.True(result.Succeeded, result.Message);
        return secret;
    }

    private static string Code(byte[] secret, long stepOffset) =>
        TotpVerifierTests.IndependentTotp(secret, (DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 30) + stepOffset, 6, HashAlgorithmName.SHA1);

    /// <summary>Six-digit codes none of which the app accepts in the next minutes (no step near now has them).</summary>
    private static IEnumerable<string> WrongCodes(byte[] secret)
    {
        var near = Enumerable.Range(-3, 10).Select(offset => Code(secret, offset)).ToHashSet();
        return Enumerable.Range(0, 1_000).Select(i => (i * 7919).ToString("D6", System.Globalization.CultureInfo.InvariantCulture)).Where(code => !near.Contains(code));
    }

    /// <summary>A well-formed recovery code (the app's alphabet, ten characters) that was never issued.</summary>
    private static string WrongRecoveryCode(int i)
    {
        const string alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        return "ZZZZZ-" + string.Concat(Enumerable.Range(0, 5).Select(k => alphabet[(i >> (5 * k)) % 32]));
    }

    /// <summary>Identity's password hasher, counting the passwords it verifies.</summary>
    private sealed class CountingPasswordHasher : IPasswordHasher<SecretAdminUser>
    {
        private readonly PasswordHasher<SecretAdminUser> _inner = new();
        private int _verifications;

        public int Verifications => Volatile.Read(ref _verifications);

        public string HashPassword(SecretAdminUser user, string password) => _inner.HashPassword(user, password);

        public PasswordVerificationResult VerifyHashedPassword(SecretAdminUser user, string hashedPassword, string providedPassword)
        {
            Interlocked.Increment(ref _verifications);
            return _inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }
}
