namespace SecretAdmin.Features.Account;

/// <summary>What a link from a mail sets a password for.</summary>
public enum PasswordLinkKind
{
    /// <summary>A new user's first password.</summary>
    Invitation,

    /// <summary>A forgotten password.</summary>
    Reset,
}
