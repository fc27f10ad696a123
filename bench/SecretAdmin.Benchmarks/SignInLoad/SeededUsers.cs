namespace SecretAdmin.Benchmarks.SignInLoad;

/// <summary>The seeded users' TOTP secrets (raw bytes, in user order) and the PBKDF2 iterations of their shared password hash.</summary>
internal sealed record SeededUsers(byte[][] Secrets, int PasswordIterations);
