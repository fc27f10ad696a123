namespace SecretAdmin.Benchmarks.SignInLoad;

/// <summary>
/// One browser past the password step: its cookies (antiforgery and Identity's two-factor user
/// id, as one Cookie header) and the antiforgery token of the code form it was shown.
/// </summary>
/// <param name="SignedInAt">When the password step answered: the two-factor cookie expires 5 minutes later.</param>
internal sealed record SignInSession(int User, string CookieHeader, string FormToken, DateTimeOffset SignedInAt);
