namespace SecretAdmin.Features.Account;

/// <summary>Authorization policies. Every page and endpoint names one, or is explicitly anonymous.</summary>
public static class Policies
{
    /// <summary>Administrators: settings, users, audit log, keys.</summary>
    public const string Admin = "Admin";

    /// <summary>Any signed-in user.</summary>
    public const string SignedIn = "SignedIn";
}
