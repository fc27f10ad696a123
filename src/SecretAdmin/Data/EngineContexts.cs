using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace SecretAdmin.Data;

/// <summary>
/// Contexts of an engine's own type <typeparamref name="TContext"/> (the one its migrations belong to):
/// one on its own, or a factory that rents them from EF Core's context pool.
/// </summary>
internal static class EngineContexts<TContext>
    where TContext : SecretAdminDbContext
{
    public static DbContextOptions<TContext> Options(IDatabaseEngine engine, Action<DbContextOptionsBuilder>? host = null)
    {
        var options = new DbContextOptionsBuilder<TContext>();
        host?.Invoke(options);
        engine.Configure(options);
        return options.Options;
    }

    public static IDbContextFactory<SecretAdminDbContext> Pooled(IDatabaseEngine engine, Action<DbContextOptionsBuilder> host) =>
        new PooledFactory(new PooledDbContextFactory<TContext>(Options(engine, host)));

    /// <summary>A rented context goes back to the pool, its state reset, when it is disposed.</summary>
    private sealed class PooledFactory(PooledDbContextFactory<TContext> pool) : IDbContextFactory<SecretAdminDbContext>
    {
        public SecretAdminDbContext CreateDbContext() => pool.CreateDbContext();

        public async Task<SecretAdminDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default) =>
            await pool.CreateDbContextAsync(cancellationToken);
    }
}
