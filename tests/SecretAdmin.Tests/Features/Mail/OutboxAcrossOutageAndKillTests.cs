using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using SecretAdmin.Data;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Mail;
using SecretAdmin.Features.Smtp;
using SecretAdmin.Tests.Support;
using SecretAdmin.Tests.Support.Peers;

namespace SecretAdmin.Tests.Features.Mail;

/// <summary>
/// The outbox in the real app process: the SMTP server down, the process killed (SIGKILL), the
/// server back — nothing queued is lost, and nothing is sent twice but the one mail a kill can catch
/// between the server's acceptance and its record.
/// </summary>
public sealed class OutboxAcrossOutageAndKillTests : IDisposable
{
    private const int Mails = 12;

    /// <summary>Quick retries and short claims, so the test waits seconds, not minutes.</summary>
    private static readonly Dictionary<string, string> QuickRetries = new()
    {
        ["SecretAdmin__Mail__FirstRetryDelay"] = "00:00:01",
        ["SecretAdmin__Mail__MaxRetryDelay"] = "00:00:02",
        ["SecretAdmin__Mail__PollInterval"] = "00:00:00.200",
        ["SecretAdmin__Mail__ClaimDuration"] = "00:00:05",
    };

    private readonly TempDataDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static string Recipient(int i) => $"user{i}@example.test";

    private async Task QueueAsync(int smtpPort, int from, int count)
    {
        await using var services = TestServices.Build(_temp);
        var smtp = services.GetRequiredService<SmtpSettingsService>();
        var view = await smtp.GetAsync();
        if (view.Port != smtpPort || view.Host is null)
        {
            var saved = await smtp.SaveAsync(AuditActor.Cli, new SmtpSettingsForm { Host = SmtpPeer.Host, Port = smtpPort, Security = SmtpSecurity.None, FromAddress = "no-reply@example.test", TimeoutSeconds = 5 }, view.Version);
            Assert.True(saved.Succeeded, saved.Message);
        }

        await using var db = await services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync();
        for (var i = from; i < from + count; i++)
        {
            services.GetRequiredService<MailOutbox>().Add(db, new OutgoingMail("notice.test", Recipient(i), $"Notice {i}", $"Link {i}: https://admin.example.test/t/secret-{i}", CarriesToken: true));
        }

        await db.SaveChangesAsync();
    }

    private async Task<List<OutboxMail>> StoredAsync()
    {
        await using var services = TestServices.Build(_temp);
        await using var db = await services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync();
        return await db.OutboxMails.AsNoTracking().ToListAsync();
    }

    private async Task WaitUntilAsync(Func<List<OutboxMail>, bool> done, string what, Func<string> log)
    {
        var clock = Stopwatch.StartNew();
        while (!done(await StoredAsync()))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"Waited 60 s for {what}. The app's output:\n{log()}");
            await Task.Delay(200);
        }
    }

    private static async Task<List<string>> ReceivedAsync(SmtpPeer peer, int atLeast)
    {
        var received = new List<string>();
        for (var i = 0; i < atLeast; i++)
        {
            received.AddRange((await peer.WaitForMailAsync(TimeSpan.FromSeconds(30))).To);
        }

        // Anything more arrives now or not at all: the outbox says every mail is sent.
        try
        {
            while (true)
            {
                received.AddRange((await peer.WaitForMailAsync(TimeSpan.FromSeconds(2))).To);
            }
        }
        catch (TimeoutException)
        {
            return received;
        }
    }

    [Fact]
    public async Task Outbox_ServerDownThenAppKilledThenServerBack_SendsEveryMailOnce()
    {
        int port;
        await using (var gone = await SmtpPeer.StartAsync())
        {
            port = gone.Port;
        }

        await QueueAsync(port, 0, Mails);
        await using (var app = await WebAppProcess.StartAsync(_temp, QuickRetries))
        {
            await WaitUntilAsync(mails => mails.All(m => m.Attempts >= 2), "every mail to be tried twice while the server is down", () => app.Log);
        }

        var waiting = await StoredAsync();
        Assert.All(waiting, m => Assert.Equal(OutboxStatus.Queued, m.Status));
        Assert.All(waiting, m => Assert.StartsWith("Connect: ", m.LastError, StringComparison.Ordinal));

        await using var back = await SmtpPeer.StartAsync(new SmtpPeerOptions { Port = port });
        await using (var app = await WebAppProcess.StartAsync(_temp, QuickRetries))
        {
            await WaitUntilAsync(mails => mails.All(m => m.Status == OutboxStatus.Sent), "every mail to be sent once the server is back", () => app.Log);
        }

        var received = await ReceivedAsync(back, Mails);
        Assert.Equal(Enumerable.Range(0, Mails).Select(Recipient).Order(), received.Order());
    }

    [Fact]
    public async Task Outbox_AppKilledWhileSending_LosesNothingAndDoublesAtMostTheMailInFlight()
    {
        await using var peer = await SmtpPeer.StartAsync();
        await QueueAsync(peer.Port, 0, Mails);

        List<string> received;
        await using (var app = await WebAppProcess.StartAsync(_temp, QuickRetries))
        {
            received = [.. (await peer.WaitForMailAsync(TimeSpan.FromSeconds(30))).To];
        }

        var afterKill = await StoredAsync();
        Assert.Contains(afterKill, m => m.Status == OutboxStatus.Queued);
        await using (var app = await WebAppProcess.StartAsync(_temp, QuickRetries))
        {
            await WaitUntilAsync(mails => mails.All(m => m.Status == OutboxStatus.Sent), "every mail to be sent after the kill", () => app.Log);
        }

        received.AddRange(await ReceivedAsync(peer, Mails - 1));
        Assert.Equal(Enumerable.Range(0, Mails).Select(Recipient).Order(), received.Distinct().Order());
        Assert.InRange(received.Count, Mails, Mails + 1);
    }
}
