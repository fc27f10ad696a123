using System.Text.Json;

namespace SecretAdmin.EndToEnd.Support;

/// <summary>
/// A WebAuthn authenticator inside Chromium, through the DevTools protocol (WebAuthn.enable,
/// WebAuthn.addVirtualAuthenticator): CTAP2 over the internal transport, with resident keys, as a
/// phone's or laptop's platform authenticator. It answers every create() and get() of its page at
/// once, as a user who touched it would.
/// </summary>
public sealed class VirtualAuthenticator
{
    private readonly ICDPSession _session;
    private readonly string _id;

    private VirtualAuthenticator(ICDPSession session, string id)
    {
        _session = session;
        _id = id;
    }

    /// <summary>
    /// Adds an authenticator to <paramref name="page"/> (Chromium takes one at a time);
    /// <paramref name="userVerification"/> false is one without a PIN or biometrics.
    /// </summary>
    public static async Task<VirtualAuthenticator> AddAsync(IPage page, bool userVerification = true)
    {
        var session = await page.Context.NewCDPSessionAsync(page);
        await session.SendAsync("WebAuthn.enable", new Dictionary<string, object> { ["enableUI"] = false });
        var result = await session.SendAsync("WebAuthn.addVirtualAuthenticator", new Dictionary<string, object>
        {
            ["options"] = new Dictionary<string, object>
            {
                ["protocol"] = "ctap2",
                ["transport"] = "internal",
                ["hasResidentKey"] = true,
                ["hasUserVerification"] = userVerification,
                ["isUserVerified"] = userVerification,
                ["automaticPresenceSimulation"] = true,
            },
        });
        return new VirtualAuthenticator(session, result!.Value.GetProperty("authenticatorId").GetString()!);
    }

    /// <summary>How many credentials the authenticator holds.</summary>
    public async Task<int> CredentialCountAsync()
    {
        var result = await _session.SendAsync("WebAuthn.getCredentials", new Dictionary<string, object> { ["authenticatorId"] = _id });
        return result!.Value.GetProperty("credentials").GetArrayLength();
    }

    /// <summary>
    /// Removes this authenticator and puts its credentials (private keys and counters) into a new
    /// one: the same passkeys, used from an authenticator that verifies its user or not.
    /// </summary>
    public async Task<VirtualAuthenticator> ReplaceAsync(IPage page, bool userVerification)
    {
        var result = await _session.SendAsync("WebAuthn.getCredentials", new Dictionary<string, object> { ["authenticatorId"] = _id });
        var credentials = result!.Value.GetProperty("credentials").EnumerateArray()
            .Select(c => JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(c.GetRawText())!)
            .ToList();
        await RemoveAsync();
        var replacement = await AddAsync(page, userVerification);
        foreach (var credential in credentials)
        {
            await replacement._session.SendAsync("WebAuthn.addCredential", new Dictionary<string, object> { ["authenticatorId"] = replacement._id, ["credential"] = credential });
        }

        return replacement;
    }

    public Task RemoveAsync() =>
        _session.SendAsync("WebAuthn.removeVirtualAuthenticator", new Dictionary<string, object> { ["authenticatorId"] = _id });
}
