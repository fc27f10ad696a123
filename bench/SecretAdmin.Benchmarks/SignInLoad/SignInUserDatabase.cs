using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SecretAdmin.Access;
using SecretAdmin.Data;
using SecretAdmin.Features.Users;
using SecretAdmin.Hosting;
using SecretAdmin.Security;

namespace SecretAdmin.Benchmarks.SignInLoad;

/// <summary>
/// A fresh data folder for the app to run on: database migrated and key ring created by the app's
/// own start-up, then many users written straight into SQLite in one transaction (as
/// tests/…/SealedUserSeeder.cs does), each in role User, with one password whose hash (the app's
/// <see cref="IPasswordHasher{TUser}"/>) is computed once and shared, and an authenticator enrolled:
/// the base32 of 20 random bytes, sealed with the app's <see cref="SecretSealer"/> for its row.
/// </summary>
internal static class SignInUserDatabase
{
    public const string Password = "Bench-Password-Load-42";

    public static string IdOf(int n) => $"p3-user-{n:D6}";

    public static string EmailOf(int n) => $"p3user{n:D6}@example.test";

    public static async Task<SeededUsers> CreateAsync(string folder, int users)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
        builder.Configuration.AddInMemoryCollection([new(DataDirectory.Setting, folder)]);
        builder.Logging.ClearProviders();
        builder.AddSecretAdminCore();
        using var host = builder.Build();
        await host.Services.GetRequiredService<SecretAdminStartup>().PrepareAsync(CancellationToken.None);

        var sealer = host.Services.GetRequiredService<SecretSealer>();
        var passwordHash = host.Services.GetRequiredService<IPasswordHasher<SecretAdminUser>>().HashPassword(new SecretAdminUser(), Password);
        var iterations = host.Services.GetRequiredService<IOptions<PasswordHasherOptions>>().Value.IterationCount;
        var secrets = new byte[users][];
        await using (var db = await host.Services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync())
        {
            var column = SealedColumn.For<SecretAdminUser>(db.Model, nameof(SecretAdminUser.TotpSecret));
            await db.Database.OpenConnectionAsync();
            var connection = (SqliteConnection)db.Database.GetDbConnection();
            await using (var transaction = connection.BeginTransaction(deferred: false))
            await using (var insertUser = connection.CreateCommand())
            await using (var insertRole = connection.CreateCommand())
            {
                insertUser.Transaction = transaction;
                insertUser.CommandText = """
                    INSERT INTO "AspNetUsers" ("Id", "UserName", "NormalizedUserName", "Email", "NormalizedEmail", "EmailConfirmed",
                        "PasswordHash", "SecurityStamp", "ConcurrencyStamp", "MustChangePassword", "CreatedAtUtc",
                        "PhoneNumberConfirmed", "TwoFactorEnabled", "LockoutEnabled", "AccessFailedCount",
                        "TotpSecret", "TotpDigits", "TotpPeriodSeconds", "TotpAlgorithm", "TotpEnrolledAtUtc")
                    VALUES ($id, $email, upper($email), $email, upper($email), 1,
                        $hash, $stamp, $stamp, 0, '2026-11-23 00:00:00',
                        0, 1, 1, 0,
                        $secret, 6, 30, 'Sha1', '2026-11-23 00:00:00')
                    """;
                var id = insertUser.Parameters.Add("$id", SqliteType.Text);
                var email = insertUser.Parameters.Add("$email", SqliteType.Text);
                insertUser.Parameters.AddWithValue("$hash", passwordHash);
                var stamp = insertUser.Parameters.Add("$stamp", SqliteType.Text);
                var secret = insertUser.Parameters.Add("$secret", SqliteType.Text);

                insertRole.Transaction = transaction;
                insertRole.CommandText = """INSERT INTO "AspNetUserRoles" ("UserId", "RoleId") VALUES ($id, $role)""";
                var roleUser = insertRole.Parameters.Add("$id", SqliteType.Text);
                insertRole.Parameters.AddWithValue("$role", Roles.User.ToLowerInvariant());

                for (var n = 0; n < users; n++)
                {
                    secrets[n] = RandomNumberGenerator.GetBytes(20);
                    id.Value = IdOf(n);
                    email.Value = EmailOf(n);
                    stamp.Value = Guid.NewGuid().ToString("N");
                    secret.Value = sealer.Seal(OtpNet.Base32Encoding.ToString(secrets[n]), column.At(IdOf(n)));
                    await insertUser.ExecuteNonQueryAsync();
                    roleUser.Value = IdOf(n);
                    await insertRole.ExecuteNonQueryAsync();
                }

                await transaction.CommitAsync();
            }

            await using var checkpoint = connection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            await checkpoint.ExecuteNonQueryAsync();
        }

        SqliteConnection.ClearAllPools();
        return new SeededUsers(secrets, iterations);
    }
}
