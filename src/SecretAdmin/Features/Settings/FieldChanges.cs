namespace SecretAdmin.Features.Settings;

/// <summary>Applies a form's values to an entity and keeps the names of the fields that changed, for the audit log.</summary>
public sealed class FieldChanges
{
    private readonly List<string> _names = [];

    public IReadOnlyList<string> Names => _names;

    public bool Any => _names.Count > 0;

    public void Set<T>(string name, T current, T next, Action<T> apply)
    {
        if (!EqualityComparer<T>.Default.Equals(current, next))
        {
            apply(next);
            _names.Add(name);
        }
    }

    public void Add(string name) => _names.Add(name);

    /// <summary>Trimmed text, or null when empty.</summary>
    public static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
