using Microsoft.Extensions.Logging;

namespace SecretAdmin.Tests.Support;

/// <summary>One log line as <see cref="LogCapture"/> kept it.</summary>
public sealed record CapturedLogLine(string Category, LogLevel Level, string Message, string? Exception);
