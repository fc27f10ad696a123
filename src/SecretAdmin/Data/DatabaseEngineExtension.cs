using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace SecretAdmin.Data;

/// <summary>
/// The engine, carried in a context's options (<see cref="IDatabaseEngine.Configure"/> adds it): a
/// context then takes its options alone, as EF Core's context pool needs, and still knows its engine.
/// </summary>
internal sealed class DatabaseEngineExtension(IDatabaseEngine engine) : IDbContextOptionsExtension
{
    public IDatabaseEngine Engine { get; } = engine;

    public DbContextOptionsExtensionInfo Info => field ??= new ExtensionInfo(this);

    public static void AddTo(DbContextOptionsBuilder options, IDatabaseEngine engine) =>
        ((IDbContextOptionsBuilderInfrastructure)options).AddOrUpdateExtension(new DatabaseEngineExtension(engine));

    public static IDatabaseEngine Of(DbContextOptions options) =>
        options.FindExtension<DatabaseEngineExtension>()?.Engine
        ?? throw new InvalidOperationException("The context's options name no database engine: build them with IDatabaseEngine.Configure.");

    public void ApplyServices(IServiceCollection services)
    {
    }

    public void Validate(IDbContextOptions options)
    {
    }

    private sealed class ExtensionInfo(IDbContextOptionsExtension extension) : DbContextOptionsExtensionInfo(extension)
    {
        public override bool IsDatabaseProvider => false;

        public override string LogFragment => string.Empty;

        // It adds no services, so every engine's contexts can share EF Core's internal service provider.
        public override int GetServiceProviderHashCode() => 0;

        public override bool ShouldUseSameServiceProvider(DbContextOptionsExtensionInfo other) => other is ExtensionInfo;

        public override void PopulateDebugInfo(IDictionary<string, string> debugInfo)
        {
        }
    }
}
