using System.Globalization;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace SecretAdmin.Features.Audit;

/// <summary>The audit log for administrators: read only, filtered and paged on the server.</summary>
public partial class AuditLogPage
{
    internal const int DefaultPageSize = 25;

    // The select's value for "no action filter"; an empty string is never an action.
    internal const string AnyAction = "";

    private static readonly int[] PageSizeOptions = [25, 50, 100];

    private static readonly Dictionary<string, object?> TableAttributes = new() { ["aria-label"] = "Audit log entries" };

    private static readonly Dictionary<string, string> ActionLabels = new(StringComparer.Ordinal)
    {
        [AuditActions.SetupCompleted] = "Setup completed",
        [AuditActions.SignInSucceeded] = "Signed in",
        [AuditActions.SignInFailed] = "Sign-in failed",
        [AuditActions.LockedOut] = "Locked out",
        [AuditActions.SignedOut] = "Signed out",
        [AuditActions.PasswordChanged] = "Password changed",
        [AuditActions.ProfileChanged] = "Profile changed",
        [AuditActions.UserCreated] = "User created",
        [AuditActions.UserDisabled] = "User disabled",
        [AuditActions.UserEnabled] = "User enabled",
        [AuditActions.AdminGranted] = "Administrator role granted",
        [AuditActions.AdminRevoked] = "Administrator role revoked",
        [AuditActions.UserUnlocked] = "User unlocked",
        [AuditActions.OidcSettingsChanged] = "OIDC settings changed",
        [AuditActions.SmtpSettingsChanged] = "SMTP settings changed",
        [AuditActions.MfaPolicyChanged] = "MFA policy changed",
        [AuditActions.SmtpTestMailSent] = "Test mail sent",
        [AuditActions.SmtpTestMailFailed] = "Test mail failed",
        [AuditActions.MfaEnrolled] = "Authenticator set up",
        [AuditActions.RecoveryCodesRegenerated] = "Recovery codes replaced",
        [AuditActions.MfaCodeReplayed] = "Used code refused",
        [AuditActions.RecoveryCodeUsed] = "Recovery code used",
        [AuditActions.MfaReset] = "Two-factor sign-in reset",
        [AuditActions.MfaDisabled] = "Two-factor sign-in turned off",
        [AuditActions.SsoSignedIn] = "Signed in with single sign-on",
        [AuditActions.SsoLinked] = "Single sign-on account linked",
        [AuditActions.SsoRefused] = "Single sign-on refused",
        [AuditActions.SsoFailed] = "Single sign-on failed",
        [AuditActions.SsoRoleClaimUnreadable] = "Single sign-on role claim not readable",
        [AuditActions.SecretBound] = "Secret bound to its destination",
        [AuditActions.UserInvited] = "User invited",
        [AuditActions.InvitationAccepted] = "Invitation accepted",
        [AuditActions.PasswordResetRequested] = "Password reset asked for",
        [AuditActions.PasswordReset] = "Password reset",
        [AuditActions.MailSent] = "Mail sent",
        [AuditActions.MailFailed] = "Mail given up",
        [AuditActions.MailRetried] = "Mail queued again",
        [AuditActions.KeysRotated] = "Key rotated",
        [AuditActions.KeysResealed] = "Values re-sealed",
        [AuditActions.KeyRetired] = "Key retired",
        [AuditActions.KeysVerified] = "Sealed values verified",
        [AuditActions.PlaintextImported] = "Plaintext values sealed",
    };

    private MudTable<AuditEntry>? _table;
    private string? _actor;
    private string _action = AnyAction;
    private DateRange? _dates;
    private AuditPage _lastPage = new([], 0);
    private bool _failed;

    [Inject]
    private AuditLog AuditLog { get; set; } = default!;

    [Inject]
    private ILogger<AuditLogPage> Logger { get; set; } = default!;

    private bool HasFilters =>
        !string.IsNullOrWhiteSpace(_actor) || _action != AnyAction || _dates?.Start is not null || _dates?.End is not null;

    /// <summary>The readable name of an action; an action added without one reads as its code in words.</summary>
    internal static string LabelFor(string action)
    {
        if (ActionLabels.TryGetValue(action, out var label))
        {
            return label;
        }

        var words = action.Replace('.', ' ').Replace('-', ' ').Trim();
        return words.Length == 0 ? action : char.ToUpperInvariant(words[0]) + words[1..];
    }

    internal static string FormatTime(DateTime occurredAtUtc) =>
        occurredAtUtc.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>
    /// The picked days as a UTC range [from, to): the end day is included, so <c>to</c> is the day after it.
    /// Days are UTC days, the zone every time on this page is shown in, so a row shown on a day is found by that day.
    /// </summary>
    internal static (DateTime? FromUtc, DateTime? ToUtc) ToUtcRange(DateRange? dates) =>
        (dates?.Start is { } start ? DateTime.SpecifyKind(start.Date, DateTimeKind.Utc) : null,
         dates?.End is { } end ? DateTime.SpecifyKind(end.Date.AddDays(1), DateTimeKind.Utc) : null);

    private static string ActionFilterText(string? action) =>
        string.IsNullOrEmpty(action) ? "Any action" : LabelFor(action);

    private static string[] SplitFields(string? changedFields) =>
        string.IsNullOrEmpty(changedFields) ? [] : changedFields.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string Dash(string? value) => string.IsNullOrWhiteSpace(value) ? "—" : value;

    private async Task<TableData<AuditEntry>> LoadAsync(TableState state, CancellationToken cancellationToken)
    {
        var (fromUtc, toUtc) = ToUtcRange(_dates);
        var query = new AuditQuery(
            Actor: string.IsNullOrWhiteSpace(_actor) ? null : _actor.Trim(),
            Action: _action == AnyAction ? null : _action,
            FromUtc: fromUtc,
            ToUtc: toUtc,
            Page: state.Page,
            PageSize: state.PageSize);
        try
        {
            _lastPage = await AuditLog.SearchAsync(query, cancellationToken);
            _failed = false;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // A newer request (a filter or page change) replaced this one; it brings the rows.
        }
        catch (Exception exception)
        {
            // The page says only that reading failed; what went wrong is for the server log.
            Logger.LogError(exception, "The audit log could not be read");
            _lastPage = new AuditPage([], 0);
            _failed = true;
        }

        return new TableData<AuditEntry> { Items = _lastPage.Items, TotalItems = _lastPage.TotalCount };
    }

    private Task OnActorChangedAsync(string? actor)
    {
        _actor = actor;
        return ReloadFromFirstPageAsync();
    }

    private Task OnActionChangedAsync(string? action)
    {
        _action = action ?? AnyAction;
        return ReloadFromFirstPageAsync();
    }

    private Task OnDatesChangedAsync(DateRange? dates)
    {
        _dates = dates;
        return ReloadFromFirstPageAsync();
    }

    private Task ClearFiltersAsync()
    {
        _actor = null;
        _action = AnyAction;
        _dates = null;
        return ReloadFromFirstPageAsync();
    }

    private async Task ReloadFromFirstPageAsync()
    {
        if (_table is null)
        {
            return;
        }

        if (_table.CurrentPage == 0)
        {
            await _table.ReloadServerData();
        }
        else
        {
            // Moving to the first page reloads the rows.
            _table.NavigateTo(0);
        }
    }
}
