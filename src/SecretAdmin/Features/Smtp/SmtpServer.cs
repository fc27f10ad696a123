namespace SecretAdmin.Features.Smtp;

/// <summary>Where and how to connect: the non-secret part of the SMTP settings.</summary>
public sealed record SmtpServer(string Host, int Port, SmtpSecurity Security, string? Username, int TimeoutSeconds);
