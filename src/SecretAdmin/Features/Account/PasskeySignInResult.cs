using Microsoft.AspNetCore.Identity;
using SecretAdmin.Features.Mfa;
using SecretAdmin.Features.Users;

namespace SecretAdmin.Features.Account;

/// <summary>A passkey sign-in's outcome, the account it was for (when known), and why the MFA policy refused a passkey that verified.</summary>
public sealed record PasskeySignInResult(SignInResult Result, SecretAdminUser? User, PasskeyRefusal? Refusal);
