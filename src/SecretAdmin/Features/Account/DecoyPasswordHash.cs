using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using SecretAdmin.Features.Users;

namespace SecretAdmin.Features.Account;

/// <summary>
/// The hash of a random password, made once with the app's own hasher options: a sign-in for an email
/// without an account is checked against it, so that the answer takes what a real check takes, whatever
/// iteration count the hasher is given.
/// </summary>
public sealed class DecoyPasswordHash(IOptions<PasswordHasherOptions> options)
{
    private readonly Lazy<string> _hash = new(() => new PasswordHasher<SecretAdminUser>(options).HashPassword(new SecretAdminUser(), Guid.NewGuid().ToString()));

    public string Value => _hash.Value;
}
