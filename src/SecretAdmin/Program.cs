using SecretAdmin.Hosting;

if (CommandLine.IsCommand(args))
{
    return await CommandLine.RunAsync(args);
}

var builder = WebApplication.CreateBuilder(args);
builder.AddSecretAdmin();

var app = builder.Build();
app.MapSecretAdmin();

return await app.RunSecretAdminAsync();

/// <summary>The web app's entry point; public so integration tests can host it.</summary>
public partial class Program;
