using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SecretAdmin.Data;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Mail;
using SecretAdmin.Features.Smtp;
using SecretAdmin.Tests.Support;
using SecretAdmin.Tests.Support.Peers;

namespace SecretAdmin.Tests.Features.Mail;

/// <summary>The outbox on a real database with the real SMTP peer: queued in the cause's transaction, sent once, retried, given up.</summary>
public sealed class OutboxTests : IAsyncLifetime
{
    private const string ResetLink = "https://admin.example.test/account/reset?token=Zq81-secret-token-value";
    private static readonly AuditActor Admin = new("admin@example.test", null);

    private readonly TempDataDirectory _temp = new();
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 12, 4, 9, 0, 0, TimeSpan.Zero));
    private ServiceProvider _services = default!;

    public Task InitializeAsync()
    {
        _services = TestServices.Build(_temp, _time);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        _temp.Dispose();
    }

    private OutboxSender Sender(ServiceProvider? services = null) => ActivatorUtilities.CreateInstance<OutboxSender>(services ?? _services);

    private async Task UseMailServerAsync(int port)
    {
        var smtp = _services.GetRequiredService<SmtpSettingsService>();
        var result = await smtp.SaveAsync(Admin, new SmtpSettingsForm { Host = SmtpPeer.Host, Port = port, Security = SmtpSecurity.None, FromAddress = "no-reply@example.test", TimeoutSeconds = 5 }, (await smtp.GetAsync()).Version);
        Assert.True(result.Succeeded, result.Message);
    }

    private async Task QueueAsync(params OutgoingMail[] mails)
    {
        await using var db = await _services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync();
        foreach (var mail in mails)
        {
            _services.GetRequiredService<MailOutbox>().Add(db, mail);
        }

        await db.SaveChangesAsync();
    }

    private static OutgoingMail Reset(string to = "ada@example.test") => new("password-reset", to, "Reset your password", $"Open {ResetLink} within 30 minutes.", CarriesToken: true);

    private static OutgoingMail Notice(string to = "ada@example.test") => new("notice.password-changed", to, "Your password was changed", "Your password was changed.", CarriesToken: false);

    private async Task<List<OutboxMail>> StoredAsync()
    {
        await using var db = await _services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync();
        return await db.OutboxMails.AsNoTracking().OrderBy(m => m.Id).ToListAsync();
    }

    [Fact]
    public async Task Add_CauseRolledBack_QueuesNothing()
    {
        await using (var db = await _services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync())
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            _services.GetRequiredService<MailOutbox>().Add(db, Notice());
            await db.SaveChangesAsync();
            await transaction.RollbackAsync();
        }

        Assert.Empty(await StoredAsync());
    }

    [Fact]
    public async Task Add_BodyWithAToken_IsStoredSealedAndTheDatabaseNeverHoldsTheLink()
    {
        await QueueAsync(Reset(), Notice());

        var stored = await StoredAsync();
        var reset = stored.Single(m => m.Kind == "password-reset");
        Assert.Null(reset.Body);
        Assert.StartsWith("sa1:", reset.SealedBody.Envelope, StringComparison.Ordinal);
        Assert.Equal("Your password was changed.", stored.Single(m => m.Kind == "notice.password-changed").Body);
        var token = System.Text.Encoding.UTF8.GetBytes("Zq81-secret-token-value");
        Assert.All(_temp.StoredBytes(), bytes => Assert.True(bytes.AsSpan().IndexOf(token) < 0, "the reset token is stored in plain text"));
    }

    [Fact]
    public async Task SendDue_ServerUp_SendsEachOnceDropsTheBodiesAndAudits()
    {
        await using var peer = await SmtpPeer.StartAsync();
        await UseMailServerAsync(peer.Port);
        await QueueAsync(Reset(), Notice("bob@example.test"));

        Assert.Equal(2, await Sender().SendDueAsync(CancellationToken.None));
        Assert.Equal(0, await Sender().SendDueAsync(CancellationToken.None));

        var received = new[] { await peer.WaitForMailAsync(TimeSpan.FromSeconds(10)), await peer.WaitForMailAsync(TimeSpan.FromSeconds(10)) };
        Assert.Contains(ResetLink, received.Single(m => m.To.Contains("ada@example.test")).Raw, StringComparison.Ordinal);
        var stored = await StoredAsync();
        Assert.All(stored, m => Assert.Equal((OutboxStatus.Sent, 1, null, false), (m.Status, m.Attempts, m.Body, m.SealedBody.IsStored)));
        var audit = await _services.GetRequiredService<AuditLog>().SearchAsync(new(Action: AuditActions.MailSent));
        Assert.Equal(["ada@example.test", "bob@example.test"], audit.Items.Select(e => e.Target).Order());
        Assert.DoesNotContain(audit.Items, e => (e.Reason ?? "").Contains("token", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SendDue_ServerDown_KeepsItQueuedWithTheStepAndTriesAgainAfterTheDelay()
    {
        int port;
        await using (var gone = await SmtpPeer.StartAsync())
        {
            port = gone.Port;
        }

        await UseMailServerAsync(port);
        await QueueAsync(Notice());

        Assert.Equal(1, await Sender().SendDueAsync(CancellationToken.None));
        var waiting = Assert.Single(await StoredAsync());
        Assert.Equal((OutboxStatus.Queued, 1), (waiting.Status, waiting.Attempts));
        Assert.StartsWith("Connect: Could not connect to 127.0.0.1:", waiting.LastError, StringComparison.Ordinal);
        Assert.Equal(_time.GetUtcNow().UtcDateTime.AddSeconds(30), waiting.NextAttemptAtUtc);

        // Not due yet: nothing is tried.
        Assert.Equal(0, await Sender().SendDueAsync(CancellationToken.None));

        await using var back = await SmtpPeer.StartAsync(new SmtpPeerOptions { Port = port });
        _time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(1, await Sender().SendDueAsync(CancellationToken.None));

        Assert.Equal((OutboxStatus.Sent, 2), (Assert.Single(await StoredAsync()).Status, Assert.Single(await StoredAsync()).Attempts));
        Assert.Equal("ada@example.test", Assert.Single((await back.WaitForMailAsync(TimeSpan.FromSeconds(10))).To));
    }

    [Fact]
    public async Task SendDue_RecipientRefusedForGood_FailsAtOnceAndARetryQueuesItAgain()
    {
        await using var peer = await SmtpPeer.StartAsync(new SmtpPeerOptions { RefusedRecipients = ["nobody@example.test"] });
        await UseMailServerAsync(peer.Port);
        await QueueAsync(Notice("nobody@example.test"));

        await Sender().SendDueAsync(CancellationToken.None);

        var failed = Assert.Single(await StoredAsync());
        Assert.Equal((OutboxStatus.Failed, 1), (failed.Status, failed.Attempts));
        Assert.Contains("Recipient (RCPT TO): The server refused: 550", failed.LastError, StringComparison.Ordinal);
        Assert.Single((await _services.GetRequiredService<AuditLog>().SearchAsync(new(Action: AuditActions.MailFailed))).Items);

        var queries = _services.GetRequiredService<OutboxQueries>();
        Assert.Equal("nobody@example.test", Assert.Single(await queries.ListAsync(OutboxStatus.Failed)).Recipient);
        Assert.True(await queries.RetryAsync(Admin, failed.Id));
        Assert.False(await queries.RetryAsync(Admin, failed.Id));
        Assert.Equal((OutboxStatus.Queued, 0), (Assert.Single(await StoredAsync()).Status, Assert.Single(await StoredAsync()).Attempts));
    }

    [Fact]
    public async Task SendDue_TooManyAttempts_GivesUp()
    {
        await UseMailServerAsync(1);
        await QueueAsync(Notice());
        var sender = ActivatorUtilities.CreateInstance<OutboxSender>(_services, Options.Create(new MailOptions { MaxAttempts = 2 }));

        await sender.SendDueAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(1));
        await sender.SendDueAsync(CancellationToken.None);

        Assert.Equal((OutboxStatus.Failed, 2), (Assert.Single(await StoredAsync()).Status, Assert.Single(await StoredAsync()).Attempts));
    }

    [Fact]
    public async Task SendDue_TwoNodesAtOnce_SendEachMailOnce()
    {
        await using var peer = await SmtpPeer.StartAsync();
        await UseMailServerAsync(peer.Port);
        await QueueAsync([.. Enumerable.Range(0, 20).Select(i => Notice($"user{i}@example.test"))]);
        await using var other = TestServices.Build(_temp, _time);

        var sent = await Task.WhenAll(Sender().SendDueAsync(CancellationToken.None), Sender(other).SendDueAsync(CancellationToken.None));

        Assert.Equal(20, sent.Sum());
        var received = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            received.AddRange((await peer.WaitForMailAsync(TimeSpan.FromSeconds(10))).To);
        }

        Assert.Equal(20, received.Distinct().Count());
        Assert.All(await StoredAsync(), m => Assert.Equal((OutboxStatus.Sent, 1), (m.Status, m.Attempts)));
    }

    [Theory]
    [InlineData(1, 30)]
    [InlineData(2, 60)]
    [InlineData(5, 480)]
    [InlineData(9, 3600)]
    [InlineData(30, 3600)]
    public void RetryDelay_DoublesUpToAnHour(int attempts, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), OutboxSender.RetryDelay(attempts, new MailOptions()));
}
