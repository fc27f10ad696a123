using SecretAdmin.Security;

namespace SecretAdmin.Features.Settings;

/// <summary>The one way a settings save changes a stored secret, and the one rule for a secret whose destination changes.</summary>
public static class SecretChanges
{
    /// <summary>
    /// Applies <paramref name="change"/> to <paramref name="secret"/>: a typed secret is sealed for
    /// <paramref name="place"/> (bound to its destination), clear removes it, keep leaves it — so a
    /// kept secret whose destination changed stays bound to the old one and never opens for the new.
    /// </summary>
    public static void ApplySecret(
        this FieldChanges changes,
        string field,
        SealedSecret secret,
        SecretChange change,
        SecretSealer sealer,
        SealedPlace place,
        DateTime nowUtc,
        string actorName)
    {
        switch (change.Kind)
        {
            case SecretChangeKind.Replace:
                secret.Store(sealer.Seal(change.NewValue!, place), place.Destination, nowUtc, actorName);
                changes.Add(field);
                break;
            case SecretChangeKind.Clear when secret.IsStored:
                secret.Clear(nowUtc, actorName);
                changes.Add(field);
                break;
        }
    }

    /// <summary>
    /// Why a typed secret cannot be sealed now — the master key is unavailable — or null when it can:
    /// the save is refused with this on the secret's field, and nothing is saved.
    /// </summary>
    public static IReadOnlyDictionary<string, string[]>? CannotSealNow(string field, SecretChange change, SecretSealer sealer) =>
        change.Kind == SecretChangeKind.Replace && sealer.Unavailable is not null
            ? new Dictionary<string, string[]>
            {
                [field] = ["The master key is unavailable, so the secret cannot be sealed, and nothing was saved. The Keys page says why; try again once it is back."],
            }
            : null;

    /// <summary>
    /// Refuses to keep a stored secret for another destination than the one it was sealed for: it
    /// must be typed again (or cleared) — <paramref name="message"/> on <paramref name="field"/>.
    /// </summary>
    public static void KeepOnlyForItsDestination(ValidationErrors errors, string field, SecretChange change, SecretStatus stored, string destination, string message)
    {
        if (change.Kind == SecretChangeKind.Keep
            && stored is not SecretStatus.NotSet
            && !errors.Has(field)
            && !string.Equals(stored.BoundTo, destination, StringComparison.Ordinal))
        {
            errors.Add(field, message);
        }
    }
}
