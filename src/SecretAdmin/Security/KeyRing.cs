using System.Security.Cryptography;

namespace SecretAdmin.Security;

/// <summary>Numbered sealing keys, exactly one of them active for new seals; older ones open what they sealed.</summary>
public sealed class KeyRing
{
    private readonly Dictionary<int, SealingKey> _byId;

    public KeyRing(IEnumerable<SealingKey> keys, int activeKeyId)
    {
        Keys = keys.OrderBy(k => k.Id).ToArray();
        _byId = new Dictionary<int, SealingKey>(Keys.Count);
        foreach (var key in Keys)
        {
            if (!_byId.TryAdd(key.Id, key))
            {
                throw new KeyRingFormatException($"key id {key.Id} appears more than once");
            }
        }

        if (!_byId.TryGetValue(activeKeyId, out var active))
        {
            throw new KeyRingFormatException($"the active key id {activeKeyId} is not among its keys");
        }

        Active = active;
    }

    public IReadOnlyList<SealingKey> Keys { get; }

    public SealingKey Active { get; }

    public bool TryGetKey(int id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SealingKey? key) =>
        _byId.TryGetValue(id, out key);

    public static KeyRing CreateNew(DateTimeOffset nowUtc) =>
        new([new SealingKey(1, nowUtc, RandomNumberGenerator.GetBytes(SealingKey.SizeInBytes))], activeKeyId: 1);

    public override string ToString() => $"key ring with keys [{string.Join(", ", Keys.Select(k => k.Id))}], active {Active.Id}";
}
