using System.Globalization;
using System.Net;

namespace ConvMixerNet.LoadTest;

/// <summary>What to measure, from the command line (see <see cref="Usage"/>).</summary>
internal sealed record LoadTestSettings
{
    public const string Usage = """
        Usage: ConvMixerNet.LoadTest --weights FILE --images FOLDER [options]
          --weights FILE          checkpoint the started server loads
          --input-size N          the server's --input-size
          --images FOLDER|FILE    images to send, in turn (JPEG, PNG, WebP, BMP, GIF)
          --protocols LIST        how requests carry the image, one run each per client count (default v1):
                                  v1 = POST /v1/classify with the file; v2-json, v2-binary = /v2 infer with FP32
                                  'input' preprocessed here as the server does, in JSON or as binary tensor data;
                                  v2-bytes = /v2 infer with BYTES 'image', the file base64 in JSON.
                                  All: --protocols v1,v2-json,v2-binary,v2-bytes
          --model-name NAME       the server's --model-name, the name /v2 serves under (default: the server's own)
          --clients 1,8,32        concurrent clients, one run each (default 1,8,32)
          --batch-sizes 1,8       one server per batch size; 1 = batching off (default 1,8)
          --max-batch-delay-ms M  the server's batching delay (default 5)
          --threads N             the server's libtorch threads (default: its own choice)
          --requests N            requests per run (default 200)
          --warmup N              requests at each client count before the runs, not measured (default 100)
          --expected FILE         `convmixer predict --json` output: every answer must match it
          --server DLL            the built server (default: src/ConvMixer.Server/bin/Release/net10.0)
          --url URL --pid PID     measure a running server instead (loopback only); --pid for its RSS
        """;

    public string? Weights { get; init; }
    public int? InputSize { get; init; }
    public IReadOnlyList<string> Images { get; init; } = [];
    public IReadOnlyList<Protocol> Protocols { get; init; } = [Protocol.V1];
    public string? ModelName { get; init; }
    public IReadOnlyList<int> Clients { get; init; } = [1, 8, 32];
    public IReadOnlyList<int> BatchSizes { get; init; } = [1, 8];
    public int MaxBatchDelayMs { get; init; } = 5;
    public int? Threads { get; init; }
    public int Requests { get; init; } = 200;
    public int Warmup { get; init; } = 100;
    public string? Expected { get; init; }
    public string? Server { get; init; }
    public Uri? Url { get; init; }
    public int? Pid { get; init; }

    public static LoadTestSettings Parse(string[] args)
    {
        var settings = new LoadTestSettings();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            settings = args[i] switch
            {
                "--weights" => settings with { Weights = Value() },
                "--input-size" => settings with { InputSize = Positive(Value()) },
                "--images" => settings with { Images = FindImages(Value()) },
                "--protocols" => settings with { Protocols = Value().Split(',').Select(LoadTest.Protocols.Parse).Distinct().ToArray() },
                "--model-name" => settings with { ModelName = Value() },
                "--clients" => settings with { Clients = List(Value()) },
                "--batch-sizes" => settings with { BatchSizes = List(Value()) },
                "--max-batch-delay-ms" => settings with { MaxBatchDelayMs = int.Parse(Value(), CultureInfo.InvariantCulture) },
                "--threads" => settings with { Threads = Positive(Value()) },
                "--requests" => settings with { Requests = Positive(Value()) },
                "--warmup" => settings with { Warmup = int.Parse(Value(), CultureInfo.InvariantCulture) },
                "--expected" => settings with { Expected = Value() },
                "--server" => settings with { Server = Value() },
                "--url" => settings with { Url = Loopback(Value()) },
                "--pid" => settings with { Pid = Positive(Value()) },
                _ => throw new ArgumentException($"Unknown option {args[i]}."),
            };
        }

        if (settings.Images.Count == 0)
        {
            throw new ArgumentException("--images is required.");
        }

        if (settings.Url is null && settings.Weights is null)
        {
            throw new ArgumentException("Give --weights (to start servers) or --url (to measure a running one).");
        }

        return settings;
    }

    private static int Positive(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"'{text}' is not a positive number.");

    private static int[] List(string text) => text.Split(',').Select(Positive).ToArray();

    // The check sends traffic to this machine only.
    private static Uri Loopback(string text)
    {
        var uri = new Uri(text.EndsWith('/') ? text : text + "/");
        var loopback = uri.IsLoopback && (uri.Host == "localhost" || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip)));
        return loopback ? uri : throw new ArgumentException($"{text} is not a loopback address; the load check only talks to 127.0.0.1, ::1 or localhost.");
    }

    private static string[] FindImages(string path)
    {
        string[] extensions = [".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif"];
        var images = Directory.Exists(path)
            ? Directory.EnumerateFiles(path).Where(f => extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase)).Order(StringComparer.Ordinal).ToArray()
            : [path];
        return images.Length > 0 ? images : throw new ArgumentException($"No images in {path}.");
    }
}
