namespace SecretAdmin.Features.Settings;

/// <summary>Collects messages per field name while a form is checked.</summary>
public sealed class ValidationErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool IsEmpty => _errors.Count == 0;

    public bool Has(string field) => _errors.ContainsKey(field);

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var messages))
        {
            _errors[field] = messages = [];
        }

        messages.Add(message);
    }

    /// <summary>A fresh collection holding <paramref name="errors"/>, to add more to.</summary>
    public static ValidationErrors From(IReadOnlyDictionary<string, string[]> errors)
    {
        var collected = new ValidationErrors();
        foreach (var (field, messages) in errors)
        {
            foreach (var message in messages)
            {
                collected.Add(field, message);
            }
        }

        return collected;
    }

    public IReadOnlyDictionary<string, string[]> ToDictionary() =>
        _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
}
