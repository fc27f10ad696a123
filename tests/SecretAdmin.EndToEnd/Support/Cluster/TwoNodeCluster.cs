namespace SecretAdmin.EndToEnd.Support.Cluster;

/// <summary>
/// README's "Run several nodes", rehearsed on one machine (an xunit class fixture): a fresh PostgreSQL
/// database, the published build, node A (whose `admin create` migrates the database and makes the
/// master key, as the first node does), node B with node A's master key copied in, and haproxy with the
/// operator's deploy/haproxy.cfg in front of both. Everything listens on 127.0.0.1; disposing stops and
/// deletes it all, also after a start that failed half-way.
/// </summary>
public sealed class TwoNodeCluster : IAsyncLifetime
{
    public const string AdminEmail = "admin@example.test";

    private PostgresDatabase? _database;
    private PublishedBuild? _build;
    private ClusterNode? _nodeA;
    private ClusterNode? _nodeB;
    private HaproxyBalancer? _balancer;

    /// <summary>A new one per run; never a secret worth keeping.</summary>
    public string AdminPassword { get; } = $"E2e-admin-{Guid.NewGuid():N}";

    public ClusterNode NodeA => _nodeA ?? throw NotStarted();

    public ClusterNode NodeB => _nodeB ?? throw NotStarted();

    public HaproxyBalancer Balancer => _balancer ?? throw NotStarted();

    public async Task InitializeAsync()
    {
        _database = await PostgresDatabase.CreateAsync();
        _build = await PublishedBuild.PublishAsync();

        _nodeA = new ClusterNode("node-a", _build, _database.ConnectionString);
        _nodeB = new ClusterNode("node-b", _build, _database.ConnectionString);
        await _nodeA.RunCliAsync(["admin", "create", "--email", AdminEmail, "--password-stdin"], AdminPassword);
        await _nodeA.StartAsync();
        _nodeB.CopyMasterKeyFrom(_nodeA);
        await _nodeB.StartAsync();

        _balancer = await HaproxyBalancer.StartAsync(new Dictionary<string, int>
        {
            [_nodeA.Name] = _nodeA.Port,
            [_nodeB.Name] = _nodeB.Port,
        });
    }

    public async Task DisposeAsync()
    {
        if (_balancer is not null)
        {
            await _balancer.DisposeAsync();
        }

        foreach (var node in new[] { _nodeA, _nodeB })
        {
            if (node is not null)
            {
                await node.DisposeAsync();
            }
        }

        _build?.Dispose();
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    private static InvalidOperationException NotStarted() => new("The cluster is started in InitializeAsync.");
}
