namespace SecretAdmin.Features.Nodes;

public static class NodesExtensions
{
    /// <summary>Telling the other nodes of a change, for the web app and the command line alike.</summary>
    public static IServiceCollection AddNodeChanges(this IServiceCollection services)
    {
        services.AddSingleton<NodeChanges>();
        return services;
    }

    /// <summary>For the web app: taking up what other nodes and commands changed, within a second.</summary>
    public static IHostApplicationBuilder AddNodeChangeListener(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHostedService<NodeChangeListener>();
        return builder;
    }
}
