using Microsoft.EntityFrameworkCore;
using SecretAdmin.Data;
using SecretAdmin.Features.Audit;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Features.Audit;

/// <summary>The append-only audit log on a real SQLite file.</summary>
public sealed class AuditLogTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private readonly TempDataDirectory _temp = new();
    private readonly ManualTimeProvider _time = new(Start);
    private readonly ServiceProvider _services;
    private readonly AuditLog _log;

    public AuditLogTests()
    {
        _services = TestServices.Build(_temp, _time);
        _log = _services.GetRequiredService<AuditLog>();
    }

    public void Dispose()
    {
        _services.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task WriteAsync_ThenSearch_ReturnsNewestFirstWithEveryColumn()
    {
        await _log.WriteAsync(new AuditActor("alice@example.test", "198.51.100.4"), AuditActions.SignInSucceeded);
        _time.Advance(TimeSpan.FromMinutes(1));
        await _log.WriteAsync(new AuditActor("alice@example.test", "198.51.100.4"), AuditActions.UserDisabled, "bob@example.test", ["Disabled"]);
        _time.Advance(TimeSpan.FromMinutes(1));
        await _log.WriteAsync(AuditActor.Cli, AuditActions.UserCreated, "carol@example.test", ["Email", "Password", "Roles", "Email"]);

        var page = await _log.SearchAsync(new AuditQuery());

        Assert.Equal(3, page.TotalCount);
        Assert.Equal([AuditActions.UserCreated, AuditActions.UserDisabled, AuditActions.SignInSucceeded], page.Items.Select(e => e.Action));
        var newest = page.Items[0];
        Assert.Equal("cli", newest.Actor);
        Assert.Equal("carol@example.test", newest.Target);
        Assert.Equal("Email,Password,Roles", newest.ChangedFields);
        Assert.Null(newest.ClientIp);
        Assert.Equal(Start.AddMinutes(2).UtcDateTime, newest.OccurredAtUtc);
        Assert.Equal(DateTimeKind.Utc, newest.OccurredAtUtc.Kind);
        var middle = page.Items[1];
        Assert.Equal("alice@example.test", middle.Actor);
        Assert.Equal("bob@example.test", middle.Target);
        Assert.Equal("Disabled", middle.ChangedFields);
        Assert.Equal("198.51.100.4", middle.ClientIp);
        Assert.Null(page.Items[2].Target);
        Assert.Null(page.Items[2].ChangedFields);
    }

    [Fact]
    public async Task WriteAsync_ReasonLongerThanItsColumn_ShortenedOnEveryEngine()
    {
        var fits = new string('a', AuditEntry.MaxReasonLength);
        var serverAnswer = "550 5.1.1 " + new string('b', 500);

        await _log.WriteAsync(AuditActor.Cli, AuditActions.MailFailed, "ada@example.test", reason: fits);
        _time.Advance(TimeSpan.FromSeconds(1));
        await _log.WriteAsync(AuditActor.Cli, AuditActions.MailFailed, "ada@example.test", reason: serverAnswer);

        var items = (await _log.SearchAsync(new AuditQuery())).Items;
        Assert.Equal(serverAnswer[..99] + "…", items[0].Reason);
        Assert.Equal(fits, items[1].Reason);
    }

    [Fact]
    public async Task SearchAsync_SameInstant_NewestIdFirst()
    {
        await _log.WriteAsync(AuditActor.Cli, AuditActions.SignedOut, "first");
        await _log.WriteAsync(AuditActor.Cli, AuditActions.SignedOut, "second");

        var page = await _log.SearchAsync(new AuditQuery());

        Assert.Equal(["second", "first"], page.Items.Select(e => e.Target));
    }

    [Fact]
    public async Task SearchAsync_ActorFilter_MatchesPartOfTheActor()
    {
        await _log.WriteAsync(new AuditActor("alice@example.test", null), AuditActions.SignInSucceeded);
        await _log.WriteAsync(new AuditActor("malice@corp.example", null), AuditActions.SignInSucceeded);
        await _log.WriteAsync(AuditActor.Anonymous("203.0.113.9"), AuditActions.SignInFailed);

        var page = await _log.SearchAsync(new AuditQuery(Actor: " alice "));

        Assert.Equal(2, page.TotalCount);
        Assert.Equal(["malice@corp.example", "alice@example.test"], page.Items.Select(e => e.Actor));
    }

    [Fact]
    public async Task SearchAsync_ActionFilter_MatchesExactly()
    {
        await _log.WriteAsync(AuditActor.Cli, AuditActions.UserCreated, "a");
        await _log.WriteAsync(AuditActor.Cli, AuditActions.UserDisabled, "b");
        await _log.WriteAsync(AuditActor.Cli, AuditActions.UserCreated, "c");

        var page = await _log.SearchAsync(new AuditQuery(Action: AuditActions.UserCreated));

        Assert.Equal(2, page.TotalCount);
        Assert.Equal(["c", "a"], page.Items.Select(e => e.Target));
    }

    [Fact]
    public async Task SearchAsync_FromAndTo_FromInclusiveToExclusive()
    {
        foreach (var target in new[] { "09:00", "10:00", "11:00", "12:00" })
        {
            await _log.WriteAsync(AuditActor.Cli, AuditActions.SignedOut, target);
            _time.Advance(TimeSpan.FromHours(1));
        }

        var between = await _log.SearchAsync(new AuditQuery(FromUtc: Start.AddHours(1).UtcDateTime, ToUtc: Start.AddHours(3).UtcDateTime));
        var from = await _log.SearchAsync(new AuditQuery(FromUtc: Start.AddHours(2.5).UtcDateTime));
        var to = await _log.SearchAsync(new AuditQuery(ToUtc: Start.AddMinutes(1).UtcDateTime));

        Assert.Equal(["11:00", "10:00"], between.Items.Select(e => e.Target));
        Assert.Equal(2, between.TotalCount);
        Assert.Equal(["12:00"], from.Items.Select(e => e.Target));
        Assert.Equal(["09:00"], to.Items.Select(e => e.Target));
    }

    [Fact]
    public async Task SearchAsync_Paging_SkipsWholePagesAndCountsAll()
    {
        for (var i = 1; i <= 5; i++)
        {
            await _log.WriteAsync(AuditActor.Cli, AuditActions.SignedOut, $"entry {i}");
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        var first = await _log.SearchAsync(new AuditQuery(Page: 0, PageSize: 2));
        var second = await _log.SearchAsync(new AuditQuery(Page: 1, PageSize: 2));
        var third = await _log.SearchAsync(new AuditQuery(Page: 2, PageSize: 2));

        Assert.All(new[] { first, second, third }, p => Assert.Equal(5, p.TotalCount));
        Assert.Equal(["entry 5", "entry 4"], first.Items.Select(e => e.Target));
        Assert.Equal(["entry 3", "entry 2"], second.Items.Select(e => e.Target));
        Assert.Equal(["entry 1"], third.Items.Select(e => e.Target));
    }

    [Fact]
    public async Task SearchAsync_PageSizeAboveMaximum_ClampedTo200()
    {
        await using (var db = OpenDb())
        {
            for (var i = 0; i < AuditLog.MaxPageSize + 5; i++)
            {
                _log.Add(db, AuditActor.Cli, AuditActions.SignedOut, $"entry {i}");
            }

            await db.SaveChangesAsync();
        }

        var page = await _log.SearchAsync(new AuditQuery(PageSize: 10_000));
        var tooSmall = await _log.SearchAsync(new AuditQuery(PageSize: 0));

        Assert.Equal(205, page.TotalCount);
        Assert.Equal(200, page.Items.Count);
        Assert.Single(tooSmall.Items);
    }

    [Fact]
    public async Task WriteAsync_UnknownAction_ThrowsAndWritesNothing()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => _log.WriteAsync(AuditActor.Cli, "user.deleted-everything", "x"));

        Assert.Equal("action", error.ParamName);
        Assert.Equal(0, (await _log.SearchAsync(new AuditQuery())).TotalCount);
    }

    [Theory]
    [InlineData("SecurityStamp")]
    [InlineData("password")]
    [InlineData("Correct-Horse-42!")]
    public async Task WriteAsync_FieldNotOnAllowlist_ThrowsAndWritesNothing(string field)
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => _log.WriteAsync(AuditActor.Cli, AuditActions.ProfileChanged, "x", ["Email", field]));

        Assert.Contains(field, error.Message, StringComparison.Ordinal);
        Assert.Equal(0, (await _log.SearchAsync(new AuditQuery())).TotalCount);
        await using var db = OpenDb();
        Assert.Equal(0, await db.AuditEntries.CountAsync());
    }

    [Theory]
    [InlineData("""UPDATE "AuditEntries" SET "Actor" = 'someone-else'""")]
    [InlineData("""UPDATE "AuditEntries" SET "ChangedFields" = NULL WHERE "Id" = 1""")]
    [InlineData("""DELETE FROM "AuditEntries" """)]
    [InlineData("""DELETE FROM "AuditEntries" WHERE "Id" = 1""")]
    public async Task RawSql_UpdateOrDelete_RefusedAndRowUnchanged(string sql)
    {
        await _log.WriteAsync(new AuditActor("alice@example.test", "198.51.100.4"), AuditActions.UserDisabled, "bob@example.test", ["Disabled"]);
        await using var db = OpenDb();

        var error = Assert.ThrowsAny<System.Data.Common.DbException>(() => db.Database.ExecuteSqlRaw(sql));

        Assert.Contains("append-only", error.Message, StringComparison.Ordinal);
        var entry = Assert.Single(await db.AuditEntries.AsNoTracking().ToListAsync());
        Assert.Equal(1, entry.Id);
        Assert.Equal("alice@example.test", entry.Actor);
        Assert.Equal(AuditActions.UserDisabled, entry.Action);
        Assert.Equal("bob@example.test", entry.Target);
        Assert.Equal("Disabled", entry.ChangedFields);
        Assert.Equal("198.51.100.4", entry.ClientIp);
    }

    private SecretAdminDbContext OpenDb() =>
        _services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContext();
}
