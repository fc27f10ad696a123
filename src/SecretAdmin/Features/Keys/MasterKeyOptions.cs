namespace SecretAdmin.Features.Keys;

/// <summary>Where the master key is: section <c>SecretAdmin:Sealing:MasterKey</c>. <see cref="MasterKeySource"/> alone decides from it.</summary>
public sealed class MasterKeyOptions
{
    public const string Section = "SecretAdmin:Sealing:MasterKey";

    /// <summary>The environment variable that can hold the master key (base64 of 32 bytes).</summary>
    public const string ValueVariable = "SecretAdmin__Sealing__MasterKey__Value";

    /// <summary>The environment variable that holds the next master key while <c>keys rotate-master</c> moves to it from the environment.</summary>
    public const string NextValueVariable = "SecretAdmin__Sealing__MasterKey__NextValue";

    /// <summary><c>file</c> (the default), <c>environment</c> or <c>pkcs11</c>; unset with <see cref="Value"/> set means <c>environment</c>.</summary>
    public string? Source { get; set; }

    /// <summary>The master key itself (base64 of 32 bytes), when it comes from the environment.</summary>
    public string? Value { get; set; }

    /// <summary>The next master key (base64 of 32 bytes), read only by <c>keys rotate-master</c> when the key comes from the environment.</summary>
    public string? NextValue { get; set; }

    public Pkcs11MasterKeyOptions Pkcs11 { get; set; } = new();
}

/// <summary>A master key on a PKCS#11 token (an HSM): section <c>SecretAdmin:Sealing:MasterKey:Pkcs11</c>.</summary>
public sealed class Pkcs11MasterKeyOptions
{
    public const string Section = MasterKeyOptions.Section + ":Pkcs11";

    /// <summary>The environment variable for <see cref="Pin"/>, where the PIN belongs rather than in a settings file.</summary>
    public const string PinVariable = "SecretAdmin__Sealing__MasterKey__Pkcs11__Pin";

    /// <summary>The PKCS#11 library of the HSM, for example <c>/usr/lib/softhsm/libsofthsm2.so</c>.</summary>
    public string? Module { get; set; }

    /// <summary>The label of the token that holds the master key.</summary>
    public string? TokenLabel { get; set; }

    /// <summary>The user PIN of the token (environment <c>SecretAdmin__Sealing__MasterKey__Pkcs11__Pin</c>).</summary>
    public string? Pin { get; set; }

    /// <summary>The label SecretAdmin gives the master keys it generates on the token.</summary>
    public string KeyLabel { get; set; } = "secretadmin-master";
}
