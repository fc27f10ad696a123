using SecretAdmin.Features.Account;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Health;
using SecretAdmin.Features.Keys;
using SecretAdmin.Features.Mail;
using SecretAdmin.Features.Mfa;
using SecretAdmin.Features.Nodes;
using SecretAdmin.Features.Oidc;
using SecretAdmin.Features.Settings;
using SecretAdmin.Features.Setup;
using SecretAdmin.Features.Smtp;
using SecretAdmin.Features.Sso;
using SecretAdmin.Features.Users;

namespace SecretAdmin.Hosting;

/// <summary>The two calls Program.cs makes: every concern's Add… and Map…, in order. Each feature owns its own.</summary>
public static class SecretAdminHostingExtensions
{
    public static IHostApplicationBuilder AddSecretAdmin(this IHostApplicationBuilder builder)
    {
        builder.AddSecretAdminCore();
        builder.AddSecretAdminStartupBeforeServing();
        builder.AddAccounts();
        builder.AddSso();
        builder.AddKeyJobs();
        builder.AddMailSender();
        builder.AddNodeChangeListener();
        builder.AddSetup();
        builder.AddSecretAdminUi();
        builder.AddSecretAdminWebSecurity();
        return builder;
    }

    /// <summary>What the web app and the command line share: data folder, database, sealing, the features' services, start-up and health checks.</summary>
    public static IHostApplicationBuilder AddSecretAdminCore(this IHostApplicationBuilder builder)
    {
        builder.AddSecretAdminDefaults();
        builder.AddSecretAdminData();
        builder.AddSecretAdminSealing();
        builder.Services.AddSecretAdminUserServices();
        builder.Services.AddSecretAdminSettingsServices();
        builder.AddSecretAdminStartup();
        builder.AddHealth();
        return builder;
    }

    /// <summary>Users, roles, their accounts and the audit log, with the Data Protection keys they sign with and the outbox that tells users of changes.</summary>
    public static IServiceCollection AddSecretAdminUserServices(this IServiceCollection services) => services
        .AddSecretAdminDataProtection()
        .AddAudit()
        .AddMailOutbox()
        .AddUsers()
        .AddAccountProfiles();

    /// <summary>The settings areas and what rests on them: OIDC, SMTP, MFA and the keys that seal their secrets, and telling other nodes of their changes.</summary>
    public static IServiceCollection AddSecretAdminSettingsServices(this IServiceCollection services) => services
        .AddNodeChanges()
        .AddSettings()
        .AddOidcSettings()
        .AddSmtpSettings()
        .AddMailOutbox()
        .AddMfa()
        .AddKeys();

    public static WebApplication MapSecretAdmin(this WebApplication app)
    {
        app.UseSecretAdminWebSecurity();
        app.UseSecretAdminUiBasics();
        app.UseAccounts();
        app.UseSecretAdminAntiforgeryRejection();
        app.MapHealth();
        app.MapAccounts();
        app.MapMfa();
        app.MapSso();
        app.MapSecretAdminUi();
        return app;
    }
}
