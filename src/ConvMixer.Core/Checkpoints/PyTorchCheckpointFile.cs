using System.Collections;
using System.IO.Compression;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace ConvMixerNet.Core;

/// <summary>
/// <c>torch.save</c>'s zip format, read with PyBridge (whose unpickler, Razorvine.Pickle, never runs Python code: an
/// unknown global becomes an inert placeholder object, and calling one fails). The zip structure is checked first.
/// </summary>
internal static partial class PyTorchCheckpointFile
{
    // The pickle is decompressed whole by the unpickler; a state dict's is kilobytes (tensor data lives in other entries).
    private const long MaxPickleBytes = 64L * 1024 * 1024;

    private static readonly string[] WrapperKeys = ["state_dict", "model", "state_dict_ema"];
    private static readonly string[] WrapperKeysEmaFirst = ["state_dict_ema", "state_dict", "model"];

    public static Dictionary<string, Tensor> Read(string path, Stream stream, bool preferEma)
    {
        ValidateArchive(path, stream);
        stream.Position = 0;

        Hashtable root;
        using (var scope = NewDisposeScope())
        {
            try
            {
                root = PyTorchUnpickler.UnpickleStateDict(stream, leaveOpen: true);
            }
            catch (Razorvine.Pickle.PickleException e)
            {
                // Razorvine reports a call to an unregistered global as "... ClassDict (for module.name) ...".
                throw new InvalidCheckpointException(path,
                    CalleeName().Match(e.Message) is { Success: true } m
                        ? $"its pickle asks to call {m.Groups[1].Value}, which a state dict never needs; it was refused and nothing was executed."
                        : $"its pickle cannot be read ({e.Message}).",
                    e);
            }
            catch (NotImplementedException e) when (e.Message.Contains("entire model", StringComparison.Ordinal))
            {
                throw new InvalidCheckpointException(path,
                    "it holds a whole pickled model (torch.save(model)), not a state dict; re-save it in Python with torch.save(model.state_dict(), path).", e);
            }
            catch (System.Runtime.InteropServices.ExternalException e)
            {
                // libtorch refuses allocations it cannot make; a claimed size it can reserve fails at the end of the stored bytes.
                throw new InvalidCheckpointException(path,
                    $"a tensor it describes cannot be created, so the file is corrupt or was edited (libtorch: {e.Message.Split('\n')[0]}).", e);
            }
            catch (InvalidCastException e)
            {
                throw new InvalidCheckpointException(path, "its pickle does not hold a dict (a state dict or a dict wrapping one).", e);
            }

            var stateDict = SelectStateDict(path, root, preferEma);
            foreach (var tensor in stateDict.Values)
            {
                tensor.MoveToOuterDisposeScope();
            }

            return stateDict; // every other tensor (optimizer state, …) is freed with the scope
        }
    }

    private static void ValidateArchive(string path, Stream stream)
    {
        using var archive = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        var pickles = archive.Entries.Where(e => e.FullName.EndsWith("data.pkl", StringComparison.Ordinal)).ToList();
        if (pickles.Count != 1)
        {
            throw new InvalidCheckpointException(path,
                pickles.Count == 0
                    ? $"it is a zip file but not a PyTorch checkpoint (no data.pkl among its {archive.Entries.Count} entries)."
                    : "it is a zip file with several data.pkl entries, which torch.save never writes.");
        }

        if (pickles[0].Length > MaxPickleBytes)
        {
            throw new InvalidCheckpointException(path, $"its data.pkl is {pickles[0].Length} bytes, far more than a state dict's pickle.");
        }

        var pickle = new byte[pickles[0].Length];
        using (var entry = pickles[0].Open())
        {
            entry.ReadExactly(pickle);
        }

        if (PickleOpcodeScanner.FindProblem(pickle) is { } problem)
        {
            throw new InvalidCheckpointException(path, problem);
        }
    }

    private static Dictionary<string, Tensor> SelectStateDict(string path, Hashtable root, bool preferEma)
    {
        if (TryAsStateDict(root) is { } direct)
        {
            return direct;
        }

        foreach (var key in preferEma ? WrapperKeysEmaFirst : WrapperKeys)
        {
            if (root[key] is Hashtable inner && TryAsStateDict(inner) is { } wrapped)
            {
                return wrapped;
            }
        }

        var keys = string.Join(", ", root.Keys.Cast<object>().Select(k => $"'{k}'").Take(20));
        throw new InvalidCheckpointException(path,
            $"it holds a dict with keys [{keys}] but no state dict (tensors at the top level or under 'state_dict', 'model' or 'state_dict_ema').");
    }

    private static Dictionary<string, Tensor>? TryAsStateDict(Hashtable table)
    {
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in table)
        {
            if (entry.Key is string key && entry.Value is Tensor tensor)
            {
                tensors[key] = tensor;
            }
        }

        return tensors.Count > 0 ? tensors : null;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\(for ([\w.]+)\)")]
    private static partial System.Text.RegularExpressions.Regex CalleeName();
}
