using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace ConvMixerNet.Serving;

/// <summary>
/// The keys of <see cref="ConvMixerServingOptions.ApiKeyFile"/> (one per line; blank lines and lines starting with
/// # are skipped), held as SHA-256 hashes. The file is looked at on every check and read again when it has changed,
/// so a new or revoked key applies to the next request without a restart. Keys are never logged.
/// </summary>
public sealed partial class ApiKeyStore
{
    private readonly string? _path;
    private readonly ILogger<ApiKeyStore> _logger;
    private readonly Lock _lock = new();
    private (DateTime Modified, long Length) _version;
    private byte[][] _hashes = [];

    /// <summary>Reads the key file named in the options, if any.</summary>
    public ApiKeyStore(IOptions<ConvMixerServingOptions> options, ILogger<ApiKeyStore> logger)
    {
        _path = string.IsNullOrEmpty(options.Value.ApiKeyFile) ? null : Path.GetFullPath(options.Value.ApiKeyFile);
        _logger = logger;
    }

    /// <summary>True when requests need a key.</summary>
    public bool IsEnabled => _path is not null;

    /// <summary>True when <paramref name="key"/> is one of the file's keys; compares in constant time with every key.</summary>
    public bool IsValid(string key)
    {
        var hashes = Current();
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        var valid = false;
        foreach (var hash in hashes)
        {
            // No early exit: the time taken does not say which key, or how much of one, matched.
            valid |= CryptographicOperations.FixedTimeEquals(presented, hash);
        }

        return valid;
    }

    private byte[][] Current()
    {
        var file = new FileInfo(_path!);
        var version = file.Exists ? (file.LastWriteTimeUtc, file.Length) : (DateTime.MinValue, -1L);
        lock (_lock)
        {
            if (version == _version)
            {
                return _hashes;
            }

            try
            {
                _hashes = File.ReadAllLines(_path!)
                    .Select(line => line.Trim())
                    .Where(line => line.Length > 0 && !line.StartsWith('#'))
                    .Select(line => SHA256.HashData(Encoding.UTF8.GetBytes(line)))
                    .ToArray();
                LogKeysRead(_logger, _hashes.Length, _path!);
            }
            catch (IOException e)
            {
                // Fail closed: without a readable key file no key is valid.
                _hashes = [];
                LogKeysUnreadable(_logger, _path!, e.Message);
            }
            catch (UnauthorizedAccessException e)
            {
                _hashes = [];
                LogKeysUnreadable(_logger, _path!, e.Message);
            }

            _version = version;
            return _hashes;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Read {Count} API keys from {Path}")]
    private static partial void LogKeysRead(ILogger logger, int count, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "The API key file {Path} cannot be read ({Reason}); every request is refused until it can")]
    private static partial void LogKeysUnreadable(ILogger logger, string path, string reason);
}
