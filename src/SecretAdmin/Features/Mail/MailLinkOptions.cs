namespace SecretAdmin.Features.Mail;

/// <summary><c>SecretAdmin:PublicUrl</c>: where users reach this app, for links in mail.</summary>
public sealed class MailLinkOptions
{
    public const string Section = "SecretAdmin";

    public string? PublicUrl { get; set; }
}
