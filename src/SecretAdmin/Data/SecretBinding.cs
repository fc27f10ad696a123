namespace SecretAdmin.Data;

/// <summary>What a sealed secret's envelope is bound to besides its table, column and row.</summary>
public enum SecretBinding
{
    /// <summary>Its row alone, like a TOTP secret that is only ever checked here.</summary>
    Row,

    /// <summary>Also the destination it authenticates to: it opens only for that destination.</summary>
    Destination,
}
