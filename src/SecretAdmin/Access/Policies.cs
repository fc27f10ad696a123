namespace SecretAdmin.Access;

/// <summary>Authorization policies. Every page and endpoint names one, or is explicitly anonymous.</summary>
public static class Policies
{
    /// <summary>Administrators with no account step pending: settings, users, audit log, keys.</summary>
    public const string Admin = "Admin";

    /// <summary>Any signed-in user with no account step pending.</summary>
    public const string SignedIn = "SignedIn";

    /// <summary>Any signed-in user, also one with an account step pending: the steps' own pages and sign-out.</summary>
    public const string AccountSteps = "AccountSteps";
}
