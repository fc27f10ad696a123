using System.Security.Cryptography;

namespace SecretAdmin.Features.Users;

/// <summary>Strong random passwords an administrator hands to a new user, who must change it at first sign-in.</summary>
public static class TemporaryPassword
{
    public const int Length = 20;

    // Letters and digits that cannot be mistaken for one another when read aloud or retyped
    // (no 0/O, 1/l/I), and a few symbols that need no escaping anywhere.
    private const string Lower = "abcdefghijkmnopqrstuvwxyz";
    private const string Upper = "ABCDEFGHJKLMNPQRSTUVWXYZ";
    private const string Digits = "23456789";
    private const string Symbols = "-_.!#%+=?";
    private const string Alphabet = Lower + Upper + Digits + Symbols;

    /// <summary>
    /// <see cref="Length"/> characters drawn uniformly by <see cref="RandomNumberGenerator"/> (about
    /// 120 bits), redrawn until each kind the password rules require is present.
    /// </summary>
    public static string Generate()
    {
        string password;
        do
        {
            password = RandomNumberGenerator.GetString(Alphabet, Length);
        }
        while (password.IndexOfAny(Lower.ToCharArray()) < 0
               || password.IndexOfAny(Upper.ToCharArray()) < 0
               || password.IndexOfAny(Digits.ToCharArray()) < 0);

        return password;
    }
}
