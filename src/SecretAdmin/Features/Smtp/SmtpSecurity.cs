namespace SecretAdmin.Features.Smtp;

public enum SmtpSecurity
{
    None,
    StartTls,
    TlsOnConnect,
}
