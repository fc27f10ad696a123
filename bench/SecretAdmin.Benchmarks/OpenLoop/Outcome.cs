namespace SecretAdmin.Benchmarks.OpenLoop;

/// <summary>What a load target makes of one response.</summary>
internal enum Outcome
{
    /// <summary>What the endpoint answers on success.</summary>
    Succeeded,

    /// <summary>The endpoint's own refusal (for a sign-in: the form shown again with its alert).</summary>
    Refused,

    /// <summary>Anything else.</summary>
    Failed,
}
