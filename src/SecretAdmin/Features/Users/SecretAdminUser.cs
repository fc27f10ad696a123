using Microsoft.AspNetCore.Identity;

namespace SecretAdmin.Features.Users;

/// <summary>A person who signs in: Identity's user with what the console tracks besides.</summary>
public sealed class SecretAdminUser : IdentityUser
{
    /// <summary>Set for a temporary password: the user must choose a new one before anything else.</summary>
    public bool MustChangePassword { get; set; }

    public DateTime CreatedAtUtc { get; set; }

    public DateTime? LastSignInAtUtc { get; set; }

    /// <summary>When an admin disabled the account; a disabled user cannot sign in.</summary>
    public DateTime? DisabledAtUtc { get; set; }

    public bool IsDisabled => DisabledAtUtc is not null;
}
