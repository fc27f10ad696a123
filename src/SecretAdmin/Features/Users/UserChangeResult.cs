namespace SecretAdmin.Features.Users;

/// <summary>The outcome of a change to users: done, or refused with messages a person can act on (per field where one applies).</summary>
public sealed record UserChangeResult(IReadOnlyDictionary<string, string[]> Errors)
{
    public static UserChangeResult Success { get; } = new(new Dictionary<string, string[]>());

    public bool Succeeded => Errors.Count == 0;

    /// <summary>All messages, one per line, for a snackbar or the command line.</summary>
    public string Message => string.Join(Environment.NewLine, Errors.Values.SelectMany(m => m));

    public static UserChangeResult Refused(string message, string field = "") =>
        new(new Dictionary<string, string[]> { [field] = [message] });
}
