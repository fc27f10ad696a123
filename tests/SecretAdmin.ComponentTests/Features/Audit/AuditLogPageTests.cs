using AngleSharp.Dom;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Extensions;
using SecretAdmin.ComponentTests.Support;
using SecretAdmin.Features.Audit;

namespace SecretAdmin.ComponentTests.Features.Audit;

public sealed class AuditLogPageTests : MudComponentTestContext
{
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    private readonly RealServices _real = new();
    private readonly ManualClock _clock = new(Start);

    public AuditLogPageTests()
    {
        _real.AddTo(Services);
        Services.AddSingleton<TimeProvider>(_clock);
        RealServices.MigrateAsync(Services).GetAwaiter().GetResult();
    }

    private AuditLog AuditLog => Services.GetRequiredService<AuditLog>();

    [Fact]
    public async Task Render_EntriesWritten_ShowsThemNewestFirstWithEveryColumn()
    {
        await WriteAtAsync(Start, new AuditActor("alice@example.test", "10.0.0.1"), AuditActions.SignInSucceeded, "alice@example.test");
        await WriteAtAsync(Start.AddMinutes(5), AuditActor.Cli, AuditActions.UserCreated, "bob@example.test", ["Email", "Password", "Roles"]);
        await WriteAtAsync(Start.AddMinutes(10), AuditActor.Anonymous("10.0.0.9"), AuditActions.SignInFailed, "mallory@example.test");

        var cut = RenderPage();

        cut.WaitForAssertion(() => Assert.Equal(["anonymous", "cli", "alice@example.test"], Column(cut, "audit-actor")), Wait);
        var created = Rows(cut)[1];
        Assert.Equal("2026-11-20 09:05:00 UTC", Cell(created, "audit-time"));
        Assert.Equal("User created", created.QuerySelector(".audit-action-label")!.TextContent.Trim());
        Assert.Equal(AuditActions.UserCreated, created.QuerySelector(".audit-action-code")!.TextContent.Trim());
        Assert.Equal("bob@example.test", Cell(created, "audit-target"));
        Assert.Equal(["Email", "Password", "Roles"], created.QuerySelectorAll(".audit-field").Select(chip => chip.TextContent.Trim()));
        Assert.Equal("—", Cell(created, "audit-ip"));
        Assert.Equal("10.0.0.1", Cell(Rows(cut)[2], "audit-ip"));
    }

    [Fact]
    public async Task Render_LongEmails_MayBreakOnlyAtTheirDotsAndAtSign()
    {
        const string Email = "ada.lovelace-byron@analytical-engines.example.test";
        await WriteAtAsync(Start, new AuditActor(Email, null), AuditActions.UserCreated, Email);

        var cut = RenderPage();

        cut.WaitForAssertion(() => Assert.Equal([Email], Column(cut, "audit-actor")), Wait);
        Assert.Equal([Email], Column(cut, "audit-target"));
        foreach (var cell in new[] { cut.Find(".audit-actor"), cut.Find(".audit-target") })
        {
            Assert.Equal("ada<wbr>.lovelace-byron@<wbr>analytical-engines<wbr>.example<wbr>.test", cell.QuerySelector(".wrap-at-punctuation")!.InnerHtml);
            // Breaking anywhere lets the table squeeze the column until words break mid-way.
            Assert.DoesNotContain("anywhere", cell.GetAttribute("style") ?? "", StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Render_Always_OffersNoWayToChangeAnEntry()
    {
        await WriteAtAsync(Start, AuditActor.Cli, AuditActions.UserCreated, "bob@example.test", ["Email"]);

        var cut = RenderPage();

        cut.WaitForAssertion(() => Assert.Single(Rows(cut)), Wait);
        Assert.Empty(cut.Find(".audit-table tbody").QuerySelectorAll("button, a, input"));
        Assert.DoesNotContain(cut.FindAll("button"), b => b.TextContent.Contains("Delete", StringComparison.OrdinalIgnoreCase)
                                                        || b.TextContent.Contains("Edit", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task ActorFilter_Typed_ShowsOnlyActorsContainingTheText()
    {
        await WriteAtAsync(Start, new AuditActor("alice@example.test", null), AuditActions.SignInSucceeded);
        await WriteAtAsync(Start.AddMinutes(1), new AuditActor("bob@example.test", null), AuditActions.SignInSucceeded);
        await WriteAtAsync(Start.AddMinutes(2), new AuditActor("bobby@example.test", null), AuditActions.SignedOut);
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.Equal(3, Rows(cut).Count), Wait);

        await cut.InputAsync(".audit-filter-actor input", "bob");

        cut.WaitForAssertion(() => Assert.Equal(["bobby@example.test", "bob@example.test"], Column(cut, "audit-actor")), Wait);
    }

    [Fact]
    public async Task ActionFilter_Chosen_ShowsOnlyThatAction()
    {
        await WriteAtAsync(Start, AuditActor.Cli, AuditActions.UserCreated, "bob@example.test");
        await WriteAtAsync(Start.AddMinutes(1), new AuditActor("bob@example.test", null), AuditActions.SignInSucceeded, "bob@example.test");
        await WriteAtAsync(Start.AddMinutes(2), new AuditActor("bob@example.test", null), AuditActions.SignedOut, "bob@example.test");
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.Equal(3, Rows(cut).Count), Wait);

        var select = cut.FindComponent<MudSelect<string>>();
        await cut.InvokeAsync(() => select.Instance.SelectOption(AuditActions.SignInSucceeded));

        cut.WaitForAssertion(() => Assert.Equal([AuditActions.SignInSucceeded], Column(cut, "audit-action-code")), Wait);
        Assert.Equal("Signed in", select.Instance.GetState(x => x.Text));
    }

    [Fact]
    public async Task ActionFilter_Opened_OffersAnyActionAndEveryKnownAction()
    {
        var cut = RenderPage();
        var select = cut.FindComponent<MudSelect<string>>();

        await cut.InvokeAsync(select.Instance.OpenMenu);

        // A select renders its items once to register them and once more in the open list.
        var items = cut.FindComponents<MudSelectItem<string>>().Select(item => item.Instance.Value ?? "(null)").Distinct().ToArray();
        Assert.Equal([AuditLogPage.AnyAction, .. AuditActions.All], items);
    }

    [Fact]
    public async Task DateRange_Chosen_IncludesWholeEndDayAndNothingOutside()
    {
        await WriteAtAsync(new DateTimeOffset(2026, 11, 17, 23, 59, 59, TimeSpan.Zero), new AuditActor("before@example.test", null), AuditActions.SignInSucceeded);
        await WriteAtAsync(new DateTimeOffset(2026, 11, 18, 0, 0, 0, TimeSpan.Zero), new AuditActor("first-day@example.test", null), AuditActions.SignInSucceeded);
        await WriteAtAsync(new DateTimeOffset(2026, 11, 19, 23, 59, 59, TimeSpan.Zero), new AuditActor("last-day@example.test", null), AuditActions.SignInSucceeded);
        await WriteAtAsync(new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero), new AuditActor("after@example.test", null), AuditActions.SignInSucceeded);
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.Equal(4, Rows(cut).Count), Wait);

        var picker = cut.FindComponent<MudDateRangePicker>();
        await cut.InvokeAsync(() => picker.Instance.DateRangeChanged.InvokeAsync(new DateRange(new DateTime(2026, 11, 18), new DateTime(2026, 11, 19))));

        cut.WaitForAssertion(() => Assert.Equal(["last-day@example.test", "first-day@example.test"], Column(cut, "audit-actor")), Wait);
    }

    [Fact]
    public async Task Pager_NextPage_ShowsTheOlderEntries()
    {
        for (var i = 0; i < AuditLogPage.DefaultPageSize + 3; i++)
        {
            await WriteAtAsync(Start.AddMinutes(i), new AuditActor($"user{i:D2}@example.test", null), AuditActions.SignInSucceeded);
        }

        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.Equal(AuditLogPage.DefaultPageSize, Rows(cut).Count), Wait);
        Assert.Equal("user27@example.test", Column(cut, "audit-actor")[0]);

        await cut.ClickAsync(".mud-table-pagination-next-button");

        cut.WaitForAssertion(() => Assert.Equal(["user02@example.test", "user01@example.test", "user00@example.test"], Column(cut, "audit-actor")), Wait);
        Assert.Contains("26-28 of 28", cut.Find(".mud-table-page-number-information").TextContent);
    }

    [Fact]
    public async Task Filters_OnSecondPage_StartAgainFromTheFirstPage()
    {
        for (var i = 0; i < AuditLogPage.DefaultPageSize + 3; i++)
        {
            await WriteAtAsync(Start.AddMinutes(i), new AuditActor($"user{i:D2}@example.test", null), AuditActions.SignInSucceeded);
        }

        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.Equal(AuditLogPage.DefaultPageSize, Rows(cut).Count), Wait);
        await cut.ClickAsync(".mud-table-pagination-next-button");
        cut.WaitForAssertion(() => Assert.Equal(3, Rows(cut).Count), Wait);

        await cut.InputAsync(".audit-filter-actor input", "user2");

        cut.WaitForAssertion(() => Assert.Equal(8, Rows(cut).Count), Wait);
        Assert.Equal("user27@example.test", Column(cut, "audit-actor")[0]);
    }

    [Fact]
    public async Task Filters_MatchNothing_ShowsEmptyStateWithClearFilters()
    {
        await WriteAtAsync(Start, AuditActor.Cli, AuditActions.UserCreated, "bob@example.test");
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.Single(Rows(cut)), Wait);

        await cut.InputAsync(".audit-filter-actor input", "nobody");

        cut.WaitForAssertion(() => Assert.Contains("No entries match these filters", cut.Find(".audit-empty").TextContent), Wait);
        Assert.Empty(Rows(cut));

        await cut.ClickAsync(".audit-clear-filters");

        cut.WaitForAssertion(() => Assert.Equal(["cli"], Column(cut, "audit-actor")), Wait);
    }

    [Fact]
    public void Render_EmptyLog_SaysSo()
    {
        var cut = RenderPage();

        cut.WaitForAssertion(() => Assert.Contains("The audit log is empty", cut.Find(".audit-empty").TextContent), Wait);
    }

    [Fact]
    public void LabelFor_KnownAction_IsItsReadableName()
    {
        Assert.Equal("Administrator role granted", AuditLogPage.LabelFor(AuditActions.AdminGranted));
        Assert.Equal("Signed out", AuditLogPage.LabelFor(AuditActions.SignedOut));
    }

    [Fact]
    public void LabelFor_ActionWithoutLabel_ReadsAsItsCodeInWords()
    {
        Assert.Equal("Keys rotated by hand", AuditLogPage.LabelFor("keys.rotated-by-hand"));
    }

    [Fact]
    public void ToUtcRange_EndDay_IsIncludedUpToTheNextMidnightUtc()
    {
        var (from, to) = AuditLogPage.ToUtcRange(new DateRange(new DateTime(2026, 11, 18, 15, 30, 0), new DateTime(2026, 11, 19)));

        Assert.Equal(new DateTime(2026, 11, 18, 0, 0, 0, DateTimeKind.Utc), from);
        Assert.Equal(new DateTime(2026, 11, 20, 0, 0, 0, DateTimeKind.Utc), to);
        Assert.Equal(DateTimeKind.Utc, from!.Value.Kind);
        Assert.Equal(DateTimeKind.Utc, to!.Value.Kind);
        Assert.Equal((null, null), AuditLogPage.ToUtcRange(null));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _real.Dispose();
    }

    private IRenderedComponent<Bunit.Rendering.ContainerFragment> RenderPage() => Render(builder =>
    {
        builder.OpenComponent<MudPopoverProvider>(0);
        builder.CloseComponent();
        builder.OpenComponent<AuditLogPage>(1);
        builder.CloseComponent();
    });

    private async Task WriteAtAsync(DateTimeOffset at, AuditActor actor, string action, string? target = null, string[]? changedFields = null)
    {
        _clock.Now = at;
        await AuditLog.WriteAsync(actor, action, target, changedFields);
    }

    private static IReadOnlyList<IElement> Rows(IRenderedComponent<Bunit.Rendering.ContainerFragment> cut) => cut.FindAll("tr.audit-row");

    private static string[] Column(IRenderedComponent<Bunit.Rendering.ContainerFragment> cut, string cellClass) =>
        Rows(cut).Select(row => row.QuerySelector($".{cellClass}")!.TextContent.Trim()).ToArray();

    private static string Cell(IElement row, string cellClass) => row.QuerySelector($".{cellClass}")!.TextContent.Trim();
}
