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

    [Required(ErrorMessage = "Enter a temporary password, or generate one.")]
    [MinLength(MinPasswordLength, ErrorMessage = "Use at least 12 characters.")]
    public string? Password { get; set; }

    public bool IsAdmin { get; set; }
}
