using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore.Metadata;

namespace SecretAdmin.Data;

/// <summary>
/// A query EF Core compiles once per model instead of building and looking up its LINQ expression
/// at every call: for the statements of every sign-in, where that cost more CPU than the database's
/// work (P3's profile in docs/benchmarks.md). EF Core runs a compiled query with the one model it was
/// compiled for; a process with several (both engines, as the tests have) gets one per model.
/// </summary>
/// <typeparam name="TQuery">The delegate <c>EF.CompileAsyncQuery</c> returns.</typeparam>
public sealed class CompiledQuery<TQuery>(Func<TQuery> compile)
    where TQuery : class
{
    private readonly ConditionalWeakTable<IModel, TQuery> _byModel = [];

    public TQuery For(SecretAdminDbContext db) => _byModel.GetValue(db.Model, _ => compile());
}
