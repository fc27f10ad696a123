namespace SecretAdmin.Features.Smtp;

/// <summary>The outcome of a test mail: sent (with the server's answer), or not (with why, per field where one applies).</summary>
public sealed record TestMailResult(bool Succeeded, string Message, IReadOnlyDictionary<string, string[]> Errors)
{
    public static TestMailResult Sent(string serverAnswer) => new(true, serverAnswer, new Dictionary<string, string[]>());

    public static TestMailResult Failed(string message) => new(false, message, new Dictionary<string, string[]>());

    public static TestMailResult Invalid(IReadOnlyDictionary<string, string[]> errors) =>
        new(false, "Correct the highlighted fields first.", errors);
}
