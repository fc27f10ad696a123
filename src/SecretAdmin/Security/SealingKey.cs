namespace SecretAdmin.Security;

/// <summary>One numbered 256-bit key of the key ring. Its material never appears in <see cref="ToString"/>.</summary>
public sealed class SealingKey
{
    public const int SizeInBytes = 32;

    public SealingKey(int id, DateTimeOffset createdUtc, byte[] material)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(id, 1);
        if (material.Length != SizeInBytes)
        {
            throw new ArgumentException($"A sealing key is {SizeInBytes} bytes.", nameof(material));
        }

        Id = id;
        CreatedUtc = createdUtc;
        Material = material;
    }

    public int Id { get; }

    public DateTimeOffset CreatedUtc { get; }

    internal byte[] Material { get; }

    public override string ToString() => $"key {Id}";
}
