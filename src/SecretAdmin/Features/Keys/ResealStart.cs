namespace SecretAdmin.Features.Keys;

/// <summary>What became of a request to start a re-seal from the keys page.</summary>
public enum ResealStart
{
    Started,

    /// <summary>This process runs one already.</summary>
    RunningHere,

    /// <summary>Another process or node holds the run lock (<see cref="SealingRunRefusedException.Text"/>).</summary>
    RunningElsewhere,
}
