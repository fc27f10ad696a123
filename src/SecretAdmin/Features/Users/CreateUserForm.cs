using System.ComponentModel.DataAnnotations;

namespace SecretAdmin.Features.Users;

/// <summary>What the create-user dialog asks for. The password lives here only while the dialog is open.</summary>
public sealed class CreateUserForm
{
    public const int MinPasswordLength = 12;

    [Required(ErrorMessage = "Enter the user's email address.")]
    [EmailAddress(ErrorMessage = "Enter a valid email address.")]
    [MaxLength(256, ErrorMessage = "Use at most 256 characters.")]
    public string? Email { get; set; }

    /// <summary>The temporary password, when the user is not invited by mail.</summary>
    [TemporaryPasswordRule]
    public string? Password { get; set; }

    /// <summary>Send a mail with a link to choose a password, instead of a temporary password.</summary>
    public bool Invite { get; set; }

    public bool IsAdmin { get; set; }

    /// <summary>A temporary password is needed, of at least <see cref="MinPasswordLength"/> characters, unless the user is invited.</summary>
    [AttributeUsage(AttributeTargets.Property)]
    private sealed class TemporaryPasswordRuleAttribute : ValidationAttribute
    {
        protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
            (validationContext.ObjectInstance as CreateUserForm)?.Invite == true ? ValidationResult.Success
            : string.IsNullOrEmpty(value as string) ? new ValidationResult("Enter a temporary password, or generate one.", [validationContext.MemberName!])
            : ((string)value!).Length < MinPasswordLength ? new ValidationResult("Use at least 12 characters.", [validationContext.MemberName!])
            : ValidationResult.Success;
    }
}
