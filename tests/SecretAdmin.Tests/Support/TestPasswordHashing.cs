using Microsoft.AspNetCore.Identity;

namespace SecretAdmin.Tests.Support;

/// <summary>
/// The password hasher's cost in the in-process tests: Identity's own PBKDF2 hasher, given far fewer
/// iterations than the app's 100,000. Each hash records its count, so hashing and checking work as
/// in production, at a hundredth of the CPU (a hash, a sign-in and a recovery code each cost one or
/// more). The app as an operator starts it (<see cref="AppProcess"/>, <see cref="WebAppProcess"/>)
/// keeps its own cost, which <c>PasswordHashCostTests</c> checks.
/// </summary>
public static class TestPasswordHashing
{
    public const int IterationCount = 1_000;

    public static IServiceCollection UseTestCost(this IServiceCollection services) =>
        services.Configure<PasswordHasherOptions>(options => options.IterationCount = IterationCount);
}
