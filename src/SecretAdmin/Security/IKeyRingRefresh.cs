namespace SecretAdmin.Security;

/// <summary>
/// Where the sealer asks for a key it does not hold: an envelope naming an unknown key id may have
/// been sealed by another process with a key added since this one last read the keys. Whoever keeps
/// the keys implements it, so the sealer depends on nothing outside Security/.
/// </summary>
public interface IKeyRingRefresh
{
    /// <summary>
    /// Reads the keys again and loads them into the sealer, unless that was tried for
    /// <paramref name="keyId"/> a short while ago (a value naming a key that is truly gone must not
    /// make every open read the database). Never throws; returns when the keys are loaded, or at a
    /// time limit.
    /// </summary>
    void RefreshFor(int keyId);
}
