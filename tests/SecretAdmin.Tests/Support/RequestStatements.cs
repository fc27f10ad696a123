using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace SecretAdmin.Tests.Support;

/// <summary>
/// The SQL statements EF Core runs for the POSTs that carry this recorder's header, in the order they
/// ran: a count of what one request costs the database, unaffected by background work or by other
/// tests' apps in the same process.
/// </summary>
public sealed class RequestStatements : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    public const string Header = "X-Test-Statements";

    private readonly string _token = Guid.NewGuid().ToString("n");
    private readonly IHttpContextAccessor _accessor;
    private readonly ConcurrentQueue<string> _statements = new();
    private readonly List<IDisposable> _subscriptions = [];

    public RequestStatements(IServiceProvider appServices)
    {
        _accessor = appServices.GetRequiredService<IHttpContextAccessor>();
        _subscriptions.Add(DiagnosticListener.AllListeners.Subscribe(this));
    }

    public IReadOnlyList<string> Statements => [.. _statements];

    /// <summary>Marks the client's requests as the ones to record.</summary>
    public void Mark(HttpClient client) => client.DefaultRequestHeaders.Add(Header, _token);

    public void Clear() => _statements.Clear();

    void IObserver<DiagnosticListener>.OnNext(DiagnosticListener listener)
    {
        if (listener.Name == DbLoggerCategory.Name)
        {
            lock (_subscriptions)
            {
                _subscriptions.Add(listener.Subscribe(this));
            }
        }
    }

    void IObserver<KeyValuePair<string, object?>>.OnNext(KeyValuePair<string, object?> value)
    {
        if (value.Key == RelationalEventId.CommandExecuted.Name
            && value.Value is CommandExecutedEventData executed
            && _accessor.HttpContext?.Request is { } request
            && HttpMethods.IsPost(request.Method)
            && request.Headers[Header] == _token)
        {
            _statements.Enqueue(executed.Command.CommandText);
        }
    }

    void IObserver<DiagnosticListener>.OnCompleted() { }

    void IObserver<DiagnosticListener>.OnError(Exception error) { }

    void IObserver<KeyValuePair<string, object?>>.OnCompleted() { }

    void IObserver<KeyValuePair<string, object?>>.OnError(Exception error) { }

    public void Dispose()
    {
        lock (_subscriptions)
        {
            foreach (var subscription in _subscriptions)
            {
                subscription.Dispose();
            }

            _subscriptions.Clear();
        }
    }
}
