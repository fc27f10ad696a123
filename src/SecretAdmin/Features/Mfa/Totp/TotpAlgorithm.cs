namespace SecretAdmin.Features.Mfa.Totp;

public enum TotpAlgorithm
{
    Sha1,
    Sha256,
    Sha512,
}
