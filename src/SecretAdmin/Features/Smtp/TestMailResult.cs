namespace SecretAdmin.Features.Smtp;

/// <summary>
/// The outcome of a test mail: sent (with the server's answer), or not — with the step it stopped
/// at and a hint, or why per field where the form itself is the problem.
/// </summary>
public sealed record TestMailResult(bool Succeeded, string Message, IReadOnlyDictionary<string, string[]> Errors, MailStep? FailedStep = null, string? Hint = null)
{
    public static TestMailResult From(MailDelivery delivery) =>
        new(delivery.Delivered, delivery.Message, new Dictionary<string, string[]>(), delivery.FailedStep, delivery.Hint);

    public static TestMailResult Invalid(IReadOnlyDictionary<string, string[]> errors) =>
        new(false, "Correct the highlighted fields first.", errors);
}
