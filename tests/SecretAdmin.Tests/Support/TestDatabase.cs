using Microsoft.EntityFrameworkCore;
using SecretAdmin.Data;
using SecretAdmin.Data.Sqlite;
using SecretAdmin.Features.Smtp;
using SecretAdmin.Security;

namespace SecretAdmin.Tests.Support;

/// <summary>Opens the real SQLite file of a data folder, migrated, as the app would.</summary>
public static class TestDatabase
{
    public static SecretAdminDbContext Open(DataDirectory data)
    {
        data.EnsureCreated();
        var engine = new SqliteEngine(data);
        var options = new DbContextOptionsBuilder<SecretAdminDbContext>();
        engine.Configure(options);
        var db = engine.CreateContext(options.Options);
        db.Database.Migrate();
        return db;
    }

    public static SealedPlace SmtpPasswordPlace(SecretAdminDbContext db) =>
        SealedColumn.AllIn(db.Model).Single(c => c.Table == "SmtpSettings").At(SmtpSettings.SingletonId);

    /// <summary>Stores an SMTP password sealed with <paramref name="ring"/>'s active key.</summary>
    public static string SealSmtpPassword(DataDirectory data, KeyRing ring, string password)
    {
        using var db = Open(data);
        using var sealer = TestSealing.Sealer(ring);
        var envelope = sealer.Seal(password, SmtpPasswordPlace(db));
        db.SmtpSettings.Add(new SmtpSettings { Host = "mail.example.test", Password = { Envelope = envelope } });
        db.SaveChanges();
        return envelope;
    }
}
