using System.CommandLine;
using SecretAdmin.Commands;
using SecretAdmin.Features.Audit;

namespace SecretAdmin.Features.Users;

/// <summary><c>SecretAdmin admin create --email &lt;email&gt; --password-stdin</c>: an administrator for automation and recovery.</summary>
internal static class AdminCommand
{
    public static Command Create()
    {
        var email = new Option<string>("--email") { Description = "The administrator's email address.", Required = true };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from standard input (required; a password is never an argument)." };
        var create = new Command("create", "Create an administrator; works whether the web app is running or not.") { email, passwordStdin };
        create.SetAction((parse, cancellationToken) =>
        {
            if (!parse.GetValue(passwordStdin))
            {
                Console.Error.WriteLine("Pass the password on standard input with --password-stdin, for example: printf '%s' \"$PASSWORD\" | SecretAdmin admin create --email admin@example.com --password-stdin");
                return Task.FromResult(2);
            }

            // The option was given, so the password is never null here.
            return StandardInputSecret.RunWithAsync(passwordStdin.Name, password => CommandHost.RunAsync((services, ct) => CreateAdminAsync(services, parse.GetValue(email)!, password!, ct), cancellationToken), cancellationToken);
        });
        return new Command("admin", "Manage administrators.") { create };
    }

    private static async Task<int> CreateAdminAsync(IServiceProvider services, string email, string password, CancellationToken cancellationToken)
    {
        var result = await services.GetRequiredService<UserAdminService>().CreateAdminAsync(AuditActor.Cli, email, password, cancellationToken);
        if (!result.Succeeded)
        {
            await Console.Error.WriteLineAsync(result.Message);
            return 1;
        }

        Console.WriteLine($"Created administrator {email.Trim()}.");
        return 0;
    }
}
