using Microsoft.EntityFrameworkCore;
using SecretAdmin.Data;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SecretAdmin.Features.Smtp;
using SecretAdmin.Security;

namespace SecretAdmin.Tests.Support;

/// <summary>Opens the real database of a data folder, migrated, as the app would.</summary>
public static class TestDatabase
{
    public static SecretAdminDbContext Open(TempDataDirectory data)
    {
        var services = new ServiceCollection().AddSingleton(data.Data);
        data.ConfigureDatabase(services);
        var engine = DatabaseEngines.From(services.BuildServiceProvider().GetRequiredService<IOptions<DatabaseOptions>>().Value, data.Data);
        engine.EnsureCreated();
        var db = engine.CreateContext();
        engine.MigrateAsync(db, CancellationToken.None).GetAwaiter().GetResult();
        return db;
    }

    public static SealedPlace SmtpPasswordPlace(SecretAdminDbContext db) =>
        SealedColumn.For<SmtpSettings>(db.Model, nameof(SmtpSettings.Password)).At(SmtpSettings.SingletonId);

    /// <summary>Stores an SMTP password sealed with <paramref name="ring"/>'s active key.</summary>
    public static string SealSmtpPassword(TempDataDirectory data, KeyRing ring, string password)
    {
        using var db = Open(data);
        using var sealer = TestSealing.Sealer(ring);
        var envelope = sealer.Seal(password, SmtpPasswordPlace(db));
        db.SmtpSettings.Add(new SmtpSettings { Host = "mail.example.test", Password = { Envelope = envelope } });
        db.SaveChanges();
        return envelope;
    }
}
