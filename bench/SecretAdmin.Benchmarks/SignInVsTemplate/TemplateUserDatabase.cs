using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;

namespace SecretAdmin.Benchmarks.SignInVsTemplate;

/// <summary>
/// The Identity template's own SQLite database for the run: created by the template's migrations
/// (<c>Database.MigrateAsync()</c> on its <c>ApplicationDbContext</c>), then users written straight into
/// it in one transaction, as Identity stores them: a confirmed email (the template requires a
/// confirmed account), normalized names (upper case, <c>UpperInvariantLookupNormalizer</c>), a
/// security and a concurrency stamp, lockout enabled (Identity's default for new users),
/// <c>TwoFactorEnabled</c>, one password hash for all computed once by the template's
/// <c>IPasswordHasher&lt;ApplicationUser&gt;</c>, and the authenticator key as Identity keeps it: base32 of
/// 20 random bytes in <c>AspNetUserTokens</c> (<c>[AspNetUserStore]</c>, <c>AuthenticatorKey</c>), in
/// plaintext. A small console project beside the generated app, referencing it, does this with the
/// template's own types.
/// </summary>
internal static class TemplateUserDatabase
{
    public const string Password = SignInLoad.SignInUserDatabase.Password;

    public static string IdOf(int n) => $"tpl-user-{n:D6}";

    public static string EmailOf(int n) => $"tpluser{n:D6}@example.test";

    /// <summary>Seeds <paramref name="users"/> users into a new database file; returns their raw TOTP secrets and the PBKDF2 iteration count of their hash.</summary>
    public static async Task<SignInLoad.SeededUsers> CreateAsync(TemplateApp template, string databaseFile, int users)
    {
        var secrets = Enumerable.Range(0, users).Select(_ => RandomNumberGenerator.GetBytes(20)).ToArray();
        var usersFile = Path.Combine(Path.GetDirectoryName(databaseFile)!, "users.tsv");
        await File.WriteAllLinesAsync(usersFile, secrets.Select((secret, n) => $"{IdOf(n)}\t{EmailOf(n)}\t{OtpNet.Base32Encoding.ToString(secret)}"));
        var output = await template.RunSeederAsync(databaseFile, usersFile, Password);
        File.Delete(usersFile);
        var iterations = output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("iterations=", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"The template's seeder printed no iteration count:{Environment.NewLine}{output}");
        SqliteConnection.ClearAllPools();
        return new SignInLoad.SeededUsers(secrets, int.Parse(iterations["iterations=".Length..], CultureInfo.InvariantCulture));
    }

    /// <summary>What the database says about a range of users after the run: failed-attempt counts above 0 and lockouts.</summary>
    public static async Task<(long FailedAttempts, long LockedOut, long Users)> ReadAsync(string databaseFile, int firstUser, int count)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databaseFile, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT COALESCE(SUM("AccessFailedCount"), 0), COUNT("LockoutEnd"), COUNT(*)
            FROM "AspNetUsers" WHERE "Id" >= $from AND "Id" < $to
            """;
        command.Parameters.AddWithValue("$from", IdOf(firstUser));
        command.Parameters.AddWithValue("$to", IdOf(firstUser + count));
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    /// <summary>The seeder's project file and program, written beside the generated app.</summary>
    public const string SeederProject = """
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <OutputType>Exe</OutputType>
            <TargetFramework>net10.0</TargetFramework>
            <Nullable>enable</Nullable>
            <ImplicitUsings>enable</ImplicitUsings>
          </PropertyGroup>
          <ItemGroup>
            <FrameworkReference Include="Microsoft.AspNetCore.App" />
            <ProjectReference Include="../TemplateApp/TemplateApp.csproj" />
          </ItemGroup>
        </Project>
        """;

    /// <summary>Arguments: the database file, the users file (one line per user: id, email, base32 key, tab-separated), the password.</summary>
    public const string SeederProgram = """"
        using Microsoft.AspNetCore.Identity;
        using Microsoft.EntityFrameworkCore;
        using Microsoft.Extensions.DependencyInjection;
        using Microsoft.Extensions.Options;
        using TemplateApp.Data;

        var (databaseFile, usersFile, password) = (args[0], args[1], args[2]);
        var services = new ServiceCollection();
        services.AddLogging();
        // As the template's Program.cs registers them (its connection string points at this file).
        services.AddDbContext<ApplicationDbContext>(options => options.UseSqlite($"DataSource={databaseFile};Cache=Shared"));
        services.AddIdentityCore<ApplicationUser>(options =>
            {
                options.SignIn.RequireConfirmedAccount = true;
                options.Stores.SchemaVersion = IdentitySchemaVersions.Version3;
            })
            .AddEntityFrameworkStores<ApplicationDbContext>();
        await using var provider = services.BuildServiceProvider();
        await using var scope = provider.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ApplicationDbContext>();
        await db.Database.MigrateAsync();

        var hash = scope.ServiceProvider.GetRequiredService<IPasswordHasher<ApplicationUser>>().HashPassword(new ApplicationUser(), password);
        var iterations = scope.ServiceProvider.GetRequiredService<IOptions<PasswordHasherOptions>>().Value.IterationCount;
        var users = File.ReadAllLines(usersFile).Select(line => line.Split('\t')).ToArray();

        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await using var user = connection.CreateCommand();
            user.Transaction = transaction;
            user.CommandText = """
                INSERT INTO "AspNetUsers" ("Id", "UserName", "NormalizedUserName", "Email", "NormalizedEmail", "EmailConfirmed",
                    "PasswordHash", "SecurityStamp", "ConcurrencyStamp", "PhoneNumberConfirmed", "TwoFactorEnabled", "LockoutEnabled", "AccessFailedCount")
                VALUES ($id, $email, $normalized, $email, $normalized, 1, $hash, $stamp, $concurrency, 0, 1, 1, 0)
                """;
            await using var token = connection.CreateCommand();
            token.Transaction = transaction;
            token.CommandText = """
                INSERT INTO "AspNetUserTokens" ("UserId", "LoginProvider", "Name", "Value") VALUES ($id, '[AspNetUserStore]', 'AuthenticatorKey', $key)
                """;
            foreach (var (id, email, key) in users.Select(u => (u[0], u[1], u[2])))
            {
                user.Parameters.Clear();
                Add(user, "$id", id);
                Add(user, "$email", email);
                Add(user, "$normalized", email.ToUpperInvariant());
                Add(user, "$hash", hash);
                Add(user, "$stamp", Guid.NewGuid().ToString("N").ToUpperInvariant());
                Add(user, "$concurrency", Guid.NewGuid().ToString());
                await user.ExecuteNonQueryAsync();
                token.Parameters.Clear();
                Add(token, "$id", id);
                Add(token, "$key", key);
                await token.ExecuteNonQueryAsync();
            }

            await transaction.CommitAsync();
        }

        Console.WriteLine($"iterations={iterations}");
        Console.WriteLine($"users={users.Length}");

        static void Add(System.Data.Common.DbCommand command, string name, object value)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }
        """";
}
