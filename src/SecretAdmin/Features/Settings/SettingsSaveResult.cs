namespace SecretAdmin.Features.Settings;

/// <summary>
/// The outcome of saving settings: saved (with the new version), invalid (messages per field;
/// nothing saved), or a conflict (someone else saved first; nothing saved).
/// </summary>
public sealed record SettingsSaveResult(SettingsSaveOutcome Outcome, IReadOnlyDictionary<string, string[]> Errors, long Version)
{
    public const string ConflictMessage = "Someone else saved these settings after you opened them. Reload to see their changes, then make yours again.";

    public bool Succeeded => Outcome == SettingsSaveOutcome.Saved;

    /// <summary>Every message, one per line, "Field: message" — for the command line.</summary>
    public string Message => Outcome == SettingsSaveOutcome.Conflict
        ? ConflictMessage
        : string.Join(Environment.NewLine, Errors.SelectMany(e => e.Value.Select(m => e.Key.Length == 0 ? m : $"{e.Key}: {m}")));

    public static SettingsSaveResult Saved(long version) => new(SettingsSaveOutcome.Saved, new Dictionary<string, string[]>(), version);

    public static SettingsSaveResult Invalid(IReadOnlyDictionary<string, string[]> errors) => new(SettingsSaveOutcome.Invalid, errors, 0);

    public static SettingsSaveResult Conflict() => new(SettingsSaveOutcome.Conflict, new Dictionary<string, string[]>(), 0);
}
