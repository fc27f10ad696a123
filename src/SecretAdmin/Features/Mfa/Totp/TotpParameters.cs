namespace SecretAdmin.Features.Mfa.Totp;

/// <summary>How an enrollment's codes are made; kept with the enrollment, so a later policy change never breaks it.</summary>
public sealed record TotpParameters(int Digits, int PeriodSeconds, TotpAlgorithm Algorithm)
{
    public static TotpParameters From(MfaPolicyView policy) => new(policy.Digits, policy.PeriodSeconds, policy.Algorithm);
}
