// The suite drives the machine's Chromium and the real app process on Linux (and macOS); the shared
// peer fixtures check Unix file modes.
[assembly: System.Runtime.Versioning.UnsupportedOSPlatform("windows")]

// Each test class starts its own app process and browser; on a 2-core machine running the other test
// projects at the same time, one class at a time keeps the timings (and the timeouts) predictable.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
