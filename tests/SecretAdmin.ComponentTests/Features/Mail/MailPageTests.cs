using Microsoft.EntityFrameworkCore;
using MudBlazor;
using SecretAdmin.ComponentTests.Support;
using SecretAdmin.Data;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Mail;

namespace SecretAdmin.ComponentTests.Features.Mail;

/// <summary>The Mail page against the real outbox on a SQLite file: what it lists, what it never shows, sending a failed mail again.</summary>
public sealed class MailPageTests : SettingsPageContext
{
    private const string Token = "tok-Hq27-never-on-the-page";

    private async Task<string> QueueAsync(string to, bool carriesToken = false, OutboxStatus status = OutboxStatus.Queued, string? lastError = null)
    {
        await using var db = await Service<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync();
        Service<MailOutbox>().Add(db, new OutgoingMail("invitation", to, $"Mail for {to}", $"Open https://admin.example.test/invite?token={Token}", carriesToken));
        await db.SaveChangesAsync();
        var id = await db.OutboxMails.Where(m => m.Recipient == to).Select(m => m.Id).SingleAsync();
        await db.OutboxMails.Where(m => m.Id == id).ExecuteUpdateAsync(set => set
            .SetProperty(m => m.Status, status)
            .SetProperty(m => m.Attempts, status == OutboxStatus.Queued ? 0 : 3)
            .SetProperty(m => m.LastError, lastError));
        return id;
    }

    private IRenderedComponent<MailPage> Open()
    {
        Render<MudPopoverProvider>();
        Render<MudSnackbarProvider>();
        return Render<MailPage>();
    }

    [Fact]
    public void Render_NothingQueued_SaysSo()
    {
        var page = Open();

        page.WaitForAssertion(() => Assert.Contains("No mail has been sent yet.", page.Find(".mail-empty").TextContent, StringComparison.Ordinal), Wait);
    }

    [Fact]
    public async Task Render_Mails_ListsEachWithItsStatusAndLastAnswerButNeverABody()
    {
        await QueueAsync("ada@example.test", carriesToken: true);
        await QueueAsync("bob@example.test", status: OutboxStatus.Failed, lastError: "Recipient (RCPT TO): The server refused: 550 5.1.1 User unknown");

        var page = Open();

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll(".mail-row").Count), Wait);
        Assert.Equal(["Failed", "Queued"], page.FindAll(".mail-status").Select(s => s.TextContent.Trim()).Order());
        Assert.Contains("550 5.1.1 User unknown", page.Find(".mail-table").TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, page.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("https://admin.example.test/invite", page.Markup, StringComparison.Ordinal);
        Assert.Single(page.FindAll(".mail-retry"));
    }

    [Fact]
    public async Task SendAgain_FailedMail_QueuesItAgainAndAudits()
    {
        var id = await QueueAsync("bob@example.test", status: OutboxStatus.Failed, lastError: "Connect: refused");
        var page = Open();
        page.WaitForAssertion(() => Assert.Single(page.FindAll(".mail-retry")), Wait);

        await page.Find(".mail-retry").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Empty(page.FindAll(".mail-retry")), Wait);
        Assert.Equal("Queued", page.Find(".mail-status").TextContent.Trim());
        var audit = await Service<AuditLog>().SearchAsync(new(Action: AuditActions.MailRetried));
        Assert.Equal((AdminEmail, "bob@example.test"), (Assert.Single(audit.Items).Actor, audit.Items[0].Target));
        await using var db = await Service<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync();
        Assert.Equal(OutboxStatus.Queued, (await db.OutboxMails.SingleAsync(m => m.Id == id)).Status);
    }

    [Fact]
    public async Task Filter_Failed_ShowsOnlyFailedMail()
    {
        await QueueAsync("ada@example.test");
        await QueueAsync("bob@example.test", status: OutboxStatus.Failed, lastError: "Connect: refused");
        var page = Open();
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll(".mail-row").Count), Wait);

        page.FindAll(".mail-filter .mud-chip").Single(c => c.TextContent.Contains("Failed", StringComparison.Ordinal)).Click();

        page.WaitForAssertion(() => Assert.Equal(["bob@example.test"], page.FindAll(".mail-recipient").Select(r => r.TextContent.Trim())), Wait);
    }
}
