namespace SecretAdmin.Benchmarks.SignInEngines;

/// <summary>Where one wrk process sends its requests (a node, or haproxy in front), and the node whose CPU it measures meanwhile.</summary>
internal sealed record LoadTarget(Uri Address, int NodeProcessId);
