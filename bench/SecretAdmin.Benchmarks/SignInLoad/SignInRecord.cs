using Microsoft.Data.Sqlite;
using SecretAdmin.Features.Audit;

namespace SecretAdmin.Benchmarks.SignInLoad;

/// <summary>
/// What the database says about a range of users after the run (read once the app has stopped):
/// how many have each TOTP step as the last accepted one (the step ledger's column), and the
/// audit entries naming them, by action.
/// </summary>
internal sealed record SignInRecord(IReadOnlyDictionary<long, long> UsersByLastAcceptedStep, long UsersWithoutAcceptedStep, IReadOnlyDictionary<string, long> AuditEntriesByAction)
{
    public long AuditEntries(string action) => AuditEntriesByAction.GetValueOrDefault(action);

    /// <summary>The users whose last accepted step is <paramref name="step"/>; those with none when it is <paramref name="noneStep"/>.</summary>
    public long UsersWithLastStep(long step, long noneStep) =>
        step == noneStep ? UsersWithoutAcceptedStep : UsersByLastAcceptedStep.GetValueOrDefault(step);

    /// <summary>Every audit entry for these users that is not a successful sign-in.</summary>
    public long OtherAuditEntries => AuditEntriesByAction.Where(a => a.Key != AuditActions.SignInSucceeded).Sum(a => a.Value);

    /// <param name="firstUser">The first user of the range.</param>
    /// <param name="count">How many users, numbered on from <paramref name="firstUser"/>.</param>
    public static async Task<SignInRecord> ReadAsync(string databaseFile, int firstUser, int count)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databaseFile, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await connection.OpenAsync();

        var byStep = new Dictionary<long, long>();
        long withoutStep = 0;
        await using (var steps = connection.CreateCommand())
        {
            // Ids and emails have fixed-width numbers, so a range of users is a range of strings.
            steps.CommandText = """SELECT "TotpLastAcceptedStep", COUNT(*) FROM "AspNetUsers" WHERE "Id" >= $from AND "Id" < $to GROUP BY "TotpLastAcceptedStep" """;
            steps.Parameters.AddWithValue("$from", SignInUserDatabase.IdOf(firstUser));
            steps.Parameters.AddWithValue("$to", SignInUserDatabase.IdOf(firstUser + count));
            await using var reader = await steps.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                if (reader.IsDBNull(0))
                {
                    withoutStep = reader.GetInt64(1);
                }
                else
                {
                    byStep[reader.GetInt64(0)] = reader.GetInt64(1);
                }
            }
        }

        var byAction = new Dictionary<string, long>(StringComparer.Ordinal);
        await using (var audit = connection.CreateCommand())
        {
            audit.CommandText = """SELECT "Action", COUNT(*) FROM "AuditEntries" WHERE "Target" >= $from AND "Target" < $to GROUP BY "Action" """;
            audit.Parameters.AddWithValue("$from", SignInUserDatabase.EmailOf(firstUser));
            audit.Parameters.AddWithValue("$to", SignInUserDatabase.EmailOf(firstUser + count));
            await using var reader = await audit.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                byAction[reader.GetString(0)] = reader.GetInt64(1);
            }
        }

        return new SignInRecord(byStep, withoutStep, byAction);
    }
}
