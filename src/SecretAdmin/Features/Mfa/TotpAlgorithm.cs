namespace SecretAdmin.Features.Mfa;

public enum TotpAlgorithm
{
    Sha1,
    Sha256,
    Sha512,
}
