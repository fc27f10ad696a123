using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using SecretAdmin.Access;
using SecretAdmin.Data;
using SecretAdmin.Features.Users;
using SecretAdmin.Hosting;
using SecretAdmin.Security;
using SecretAdmin.Features.Mfa.Totp;

namespace SecretAdmin.Benchmarks.SignInLoad;

/// <summary>
/// A fresh data folder (and, on PostgreSQL, database) for the app to run on: database migrated and
/// key ring created by the app's own start-up, then many users written straight into the database in one transaction (as
/// tests/…/SealedUserSeeder.cs does), each in role User, with one password whose hash (the app's
/// <see cref="IPasswordHasher{TUser}"/>) is computed once and shared, and an authenticator enrolled:
/// the base32 of 20 random bytes, sealed with the app's <see cref="SecretSealer"/> for its row.
/// </summary>
internal static class SignInUserDatabase
{
    public const string Password = "Bench-Password-Load-42";

    public static string IdOf(int n) => $"p3-user-{n:D6}";

    public static string EmailOf(int n) => $"p3user{n:D6}@example.test";

    public static async Task<SeededUsers> CreateAsync(string folder, int users, BenchDatabase database)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
        builder.Configuration.AddInMemoryCollection([new(DataDirectory.Setting, folder), .. database.Settings]);
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
            var connection = db.Database.GetDbConnection();

            // Sealed before the transaction, as the app seals: a seal may reserve its count in the database.
            var sealedSecrets = new string[users];
            for (var n = 0; n < users; n++)
            {
                secrets[n] = RandomNumberGenerator.GetBytes(20);
                sealedSecrets[n] = sealer.Seal(OtpNet.Base32Encoding.ToString(secrets[n]), column.At(IdOf(n)));
            }

            await using (var transaction = await connection.BeginTransactionAsync())
            await using (var insertUser = connection.CreateCommand())
            await using (var insertRole = connection.CreateCommand())
            {
                // Plain SQL that SQLite and PostgreSQL read alike (TRUE and FALSE are 1 and 0 to SQLite).
                insertUser.Transaction = transaction;
                insertUser.CommandText = """
                    INSERT INTO "AspNetUsers" ("Id", "UserName", "NormalizedUserName", "Email", "NormalizedEmail", "EmailConfirmed",
                        "PasswordHash", "SecurityStamp", "ConcurrencyStamp", "MustChangePassword", "CreatedAtUtc",
                        "PhoneNumberConfirmed", "TwoFactorEnabled", "LockoutEnabled", "AccessFailedCount",
                        "TotpSecret", "TotpDigits", "TotpPeriodSeconds", "TotpAlgorithm", "TotpEnrolledAtUtc")
                    VALUES (@id, @email, upper(@email), @email, upper(@email), TRUE,
                        @hash, @stamp, @stamp, FALSE, @at,
                        FALSE, TRUE, TRUE, 0,
                        @secret, 6, 30, 'Sha1', @at)
                    """;
                var id = insertUser.AddParameter("@id");
                var email = insertUser.AddParameter("@email");
                insertUser.AddParameter("@hash", passwordHash);
                var stamp = insertUser.AddParameter("@stamp");
                var secret = insertUser.AddParameter("@secret");
                insertUser.AddParameter("@at", new DateTime(2026, 11, 23, 0, 0, 0, DateTimeKind.Utc));

                insertRole.Transaction = transaction;
                insertRole.CommandText = """INSERT INTO "AspNetUserRoles" ("UserId", "RoleId") VALUES (@id, @role)""";
                var roleUser = insertRole.AddParameter("@id");
                insertRole.AddParameter("@role", Roles.User.ToLowerInvariant());

                for (var n = 0; n < users; n++)
                {
                    id.Value = IdOf(n);
                    email.Value = EmailOf(n);
                    stamp.Value = Guid.NewGuid().ToString("N");
                    secret.Value = sealedSecrets[n];
                    await insertUser.ExecuteNonQueryAsync();
                    roleUser.Value = IdOf(n);
                    await insertRole.ExecuteNonQueryAsync();
                }

                await transaction.CommitAsync();
            }

            if (!database.IsPostgres)
            {
                await using var checkpoint = connection.CreateCommand();
                checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
                await checkpoint.ExecuteNonQueryAsync();
            }
        }

        SqliteConnection.ClearAllPools();
        NpgsqlConnection.ClearAllPools();
        return new SeededUsers(secrets, iterations);
    }
}
