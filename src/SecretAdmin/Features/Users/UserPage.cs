namespace SecretAdmin.Features.Users;

public sealed record UserPage(IReadOnlyList<UserSummary> Items, int TotalCount);
