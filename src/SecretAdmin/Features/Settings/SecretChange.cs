namespace SecretAdmin.Features.Settings;

/// <summary>
/// What a save does to a stored secret: keep it (the box was left empty), replace it (something
/// was typed), or clear it (explicitly). Its <see cref="ToString"/> never shows a typed value.
/// </summary>
public readonly struct SecretChange
{
    private SecretChange(SecretChangeKind kind, string? newValue)
    {
        Kind = kind;
        NewValue = newValue;
    }

    public SecretChangeKind Kind { get; }

    /// <summary>The typed secret, only for <see cref="SecretChangeKind.Replace"/>.</summary>
    public string? NewValue { get; }

    public static SecretChange Keep => default;

    public static SecretChange Clear => new(SecretChangeKind.Clear, null);

    public static SecretChange Replace(string value) => new(SecretChangeKind.Replace, value);

    /// <summary>From a page's empty-unless-typed secret box and its Clear flag.</summary>
    public static SecretChange From(string? typed, bool clear) =>
        clear ? Clear : string.IsNullOrEmpty(typed) ? Keep : Replace(typed);

    public override string ToString() => Kind.ToString();
}
