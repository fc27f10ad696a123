using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;
using Net.Pkcs11Interop.HighLevelAPI.Factories;
using ISession = Net.Pkcs11Interop.HighLevelAPI.ISession;
using SecretAdmin.Security;

namespace SecretAdmin.Features.Keys;

/// <summary>
/// One configured token — module, label, PIN — and the way to work on it: every use finds the token
/// by its label, opens a session, logs in, works, and closes the session again. Nothing is kept
/// between uses, so each one talks to the token and a token that went away is noticed at once.
/// Failures become <see cref="MasterKeyUnavailableException"/> with a message that says what to do
/// and never holds the PIN.
/// </summary>
internal sealed class Pkcs11Token
{
    private readonly string _pin;

    /// <exception cref="MasterKeyUnavailableException">A setting is missing.</exception>
    public Pkcs11Token(Pkcs11MasterKeyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Module))
        {
            throw new MasterKeyUnavailableException(
                $"{Pkcs11MasterKeyOptions.Section}:Module is not set; set it to the path of the HSM's PKCS#11 library (for SoftHSM2: /usr/lib/softhsm/libsofthsm2.so).");
        }

        if (string.IsNullOrWhiteSpace(options.TokenLabel))
        {
            throw new MasterKeyUnavailableException(
                $"{Pkcs11MasterKeyOptions.Section}:TokenLabel is not set; set it to the label of the token that holds the master key (list tokens with `softhsm2-util --show-slots` or the HSM's tool).");
        }

        if (string.IsNullOrEmpty(options.Pin))
        {
            throw new MasterKeyUnavailableException(
                $"The user PIN of the PKCS#11 token '{options.TokenLabel}' is not set; set {Pkcs11MasterKeyOptions.PinVariable} to it.");
        }

        if (string.IsNullOrWhiteSpace(options.KeyLabel))
        {
            throw new MasterKeyUnavailableException(
                $"{Pkcs11MasterKeyOptions.Section}:KeyLabel is empty; leave it unset for the default or name the label of the master keys on the token '{options.TokenLabel}'.");
        }

        Module = Path.GetFullPath(options.Module);
        Label = options.TokenLabel;
        KeyLabel = options.KeyLabel;
        _pin = options.Pin;
    }

    public string Module { get; }

    public string Label { get; }

    public string KeyLabel { get; }

    /// <summary>For messages: "the PKCS#11 token 'secretadmin' (module /usr/lib/softhsm/libsofthsm2.so)".</summary>
    public string Description => $"the PKCS#11 token '{Label}' (module {Module})";

    public IObjectAttributeFactory Attributes => Pkcs11Modules.Factories.ObjectAttributeFactory;

    /// <summary>
    /// Runs <paramref name="work"/> in a new logged-in session on the token.
    /// <paramref name="keyInUse"/> says a master key already opened is being used, so a token that
    /// is not found any more has gone away rather than been misnamed.
    /// </summary>
    /// <exception cref="MasterKeyUnavailableException">The module, token or PIN is wrong or absent, or the token stopped answering.</exception>
    public T Use<T>(SessionType sessionType, bool keyInUse, Func<ISession, T> work)
    {
        var library = Pkcs11Modules.Get(Module);
        ISession? session = null;
        try
        {
            var slot = FindSlot(library) ?? throw (keyInUse
                ? Unanswered($"no token labelled '{Label}' is present any more")
                : new MasterKeyUnavailableException(
                    $"No token labelled '{Label}' is present in the PKCS#11 module {Module}; list tokens with `softhsm2-util --show-slots` or the HSM's tool, and correct {Pkcs11MasterKeyOptions.Section}:TokenLabel or connect the token."));
            session = slot.OpenSession(sessionType);
            LogIn(session);
            return work(session);
        }
        catch (Pkcs11Exception e)
        {
            throw Unanswered($"{e.Method} returned {e.RV}", e);
        }
        finally
        {
            Close(session);
        }
    }

    /// <summary>The message for a token that stopped answering, with what was seen.</summary>
    public MasterKeyUnavailableException Unanswered(string what, Exception? inner = null) =>
        new($"The PKCS#11 token '{Label}' does not answer ({what}): the master key is unavailable. Reconnect the token to module {Module} (or check the HSM), then retry.", inner);

    /// <summary>The secret keys on the token that match <paramref name="criteria"/> (besides being AES secret keys).</summary>
    public List<IObjectHandle> FindAesKeys(ISession session, IObjectAttribute criteria) =>
        session.FindAllObjects(
        [
            Attributes.Create(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY),
            Attributes.Create(CKA.CKA_KEY_TYPE, CKK.CKK_AES),
            criteria,
        ]);

    private ISlot? FindSlot(IPkcs11Library library)
    {
        foreach (var slot in library.GetSlotList(SlotsType.WithTokenPresent))
        {
            ITokenInfo info;
            try
            {
                info = slot.GetTokenInfo();
            }
            catch (Pkcs11Exception)
            {
                // A slot whose token does not answer (SoftHSM2 answers CKR_GENERAL_ERROR for a token
                // deleted while loaded) is not the one named; the others still count.
                continue;
            }

            if (info.TokenFlags.TokenInitialized && string.Equals(info.Label.TrimEnd(), Label, StringComparison.Ordinal))
            {
                return slot;
            }
        }

        return null;
    }

    private void LogIn(ISession session)
    {
        try
        {
            session.Login(CKU.CKU_USER, _pin);
        }
        catch (Pkcs11Exception e) when (e.RV == CKR.CKR_USER_ALREADY_LOGGED_IN)
        {
            // Another session of this process is logged in to the token; PKCS#11 shares the login.
        }
        catch (Pkcs11Exception e) when (e.RV is CKR.CKR_PIN_INCORRECT or CKR.CKR_PIN_LEN_RANGE or CKR.CKR_PIN_INVALID or CKR.CKR_PIN_EXPIRED)
        {
            throw new MasterKeyUnavailableException(
                $"The token '{Label}' refused the PIN ({e.RV}); set {Pkcs11MasterKeyOptions.PinVariable} to the token's user PIN.", e);
        }
        catch (Pkcs11Exception e) when (e.RV == CKR.CKR_PIN_LOCKED)
        {
            throw new MasterKeyUnavailableException(
                $"The token '{Label}' has locked its user PIN after wrong tries ({e.RV}); unlock it with the security officer's PIN using the HSM's tool, then set {Pkcs11MasterKeyOptions.PinVariable}.", e);
        }
        catch (Pkcs11Exception e) when (e.RV == CKR.CKR_USER_PIN_NOT_INITIALIZED)
        {
            throw new MasterKeyUnavailableException(
                $"The token '{Label}' has no user PIN yet ({e.RV}); initialise one with the HSM's tool (softhsm2-util --init-token sets it), then set {Pkcs11MasterKeyOptions.PinVariable}.", e);
        }
    }

    private static void Close(ISession? session)
    {
        try
        {
            session?.Dispose();
        }
        catch (Pkcs11Exception)
        {
            // The work's outcome is already known; a token that went away fails the next use.
        }
    }
}
