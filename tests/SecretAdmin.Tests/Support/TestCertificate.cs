using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SecretAdmin.Tests.Support;

/// <summary>A throw-away self-signed certificate for 127.0.0.1, for the app to serve https:// in a test.</summary>
public static class TestCertificate
{
    /// <summary>Writes the certificate and its key as PEM files into <paramref name="folder"/>; returns their paths.</summary>
    public static (string Certificate, string Key) WritePem(string folder)
    {
        Directory.CreateDirectory(folder);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));

        var certificatePath = Path.Combine(folder, "test-certificate.pem");
        var keyPath = Path.Combine(folder, "test-certificate.key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath);
    }
}
