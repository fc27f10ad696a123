// The suite checks Unix file modes of the key ring; it runs on Linux and macOS.
[assembly: System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
