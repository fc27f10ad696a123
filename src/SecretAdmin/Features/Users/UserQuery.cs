namespace SecretAdmin.Features.Users;

public enum UserSort
{
    Email,
    LastSignIn,
    Created,
}

/// <summary>A page of users whose email contains <see cref="Search"/>.</summary>
public sealed record UserQuery(string? Search = null, int Page = 0, int PageSize = 25, UserSort SortBy = UserSort.Email, bool Descending = false);
