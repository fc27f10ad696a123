namespace SecretAdmin.Features.Settings;

/// <summary>
/// A stored secret that authenticates somewhere. Start-up — of the web app and of every command —
/// binds one sealed before destination binding to the destination stored beside it, before
/// anything reads it; until then it opens for nothing.
/// </summary>
public interface IDestinationBoundSecret
{
    Task BindToDestinationAsync(CancellationToken cancellationToken);
}
